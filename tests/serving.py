"""Running a real `herald serve` (gunicorn) on 127.0.0.1 for a test, beside a fake Slack Web API.

A server runs in a subprocess on its own database (SQLite, or a fresh PostgreSQL schema when
HERALD_TEST_DATABASE_URL is set). The `served` fixture (tests/conftest.py) is one such Herald per test
module, with allow-lists: user U_ALLOWED, group S_ONCALL (whose member is U_GROUPIE), channel C_WARROOM.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot.config import load_config
from bot.store import db
from tests.fakes import slack as fake_slack
from tests.handlers.signed import SECRET, SlackClient
from tests.support import fresh_pg_url, make_env

GROUPS = {"S_ONCALL": ["U_GROUPIE"]}


@dataclass
class Served:
    """A running Herald: its URL, process, database sessions, Slack client and the fake Slack."""

    url: str
    process: subprocess.Popen[bytes]
    sessions: sessionmaker[Session]
    slack: SlackClient
    fake: fake_slack.FakeSlack
    site: Path
    log: Path


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database(tmp: Path) -> Iterator[str]:
    """A migrated database for one server: SQLite in `tmp`, or a fresh PostgreSQL schema."""
    wanted = os.environ.get("HERALD_TEST_DATABASE_URL")
    if wanted:
        for url in fresh_pg_url(load_config({"DATABASE_URL": wanted}).database_url):
            db.upgrade(url)
            yield url
        return
    url = f"sqlite:///{tmp / 'herald.db'}"
    db.upgrade(url)
    yield url


def start_server(env: dict[str, str], tmp: Path, *extra: str) -> tuple[str, subprocess.Popen[bytes], Path]:
    """Run `herald serve` with `env` on a free port and wait until /healthz answers."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "SLACK_", "DATABASE_URL"))}
    log = tmp / f"serve-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-c", "from herald.cli import main; main()", "serve", "--host", "127.0.0.1",
         "--port", str(port), *extra],
        env={**clean, **env}, cwd=tmp, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"herald serve exited: {log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return url, process, log
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"herald serve did not start: {log.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started by `start_server`."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def slack_env(url: str, tmp: Path, fake: fake_slack.FakeSlack, **extra: str) -> dict[str, str]:
    """The environment of a Slack-configured test Herald talking to `fake`."""
    return make_env(url, tmp, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET=SECRET,
                    SLACK_API_URL=fake.url + "/api/", **extra)


def ephemeral(response: httpx.Response) -> str:
    """The text of an ephemeral slash-command answer, after checking it is one."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["response_type"] == "ephemeral"
    return str(body["text"])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """`root` served over HTTP on 127.0.0.1 by the standard library; yields the base URL (ending in /)."""
    root.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()

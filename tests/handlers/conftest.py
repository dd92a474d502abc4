"""A real `herald serve` (gunicorn) on 127.0.0.1 with a fake Slack Web API, and a signed Slack client.

The server is started once per session in a subprocess, on its own database (SQLite, or a fresh
PostgreSQL schema when HERALD_TEST_DATABASE_URL is set), with allow-lists: user U_ALLOWED, group
S_ONCALL (whose member is U_GROUPIE) and channel C_WARROOM.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot.config import load_config
from tests.conftest import fresh_pg_url, make_env
from tests.fakes import slack as fake_slack
from tests.handlers.signed import SECRET, SlackClient

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
        [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--host", "127.0.0.1",
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


@pytest.fixture(scope="session")
def fake() -> Iterator[fake_slack.FakeSlack]:
    """The fake Slack Web API (and response_url receiver), shared by the session."""
    found, server = fake_slack.start(GROUPS)
    yield found
    server.shutdown()


def slack_env(url: str, tmp: Path, fake: fake_slack.FakeSlack, **extra: str) -> dict[str, str]:
    """The environment of a Slack-configured test Herald talking to `fake`."""
    return make_env(url, tmp, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET=SECRET,
                    SLACK_API_URL=fake.url + "/api/", **extra)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, fake: fake_slack.FakeSlack) -> Iterator[Served]:
    """One Herald with allow-lists, serving for the whole session."""
    tmp = tmp_path_factory.mktemp("served")
    for url in database(tmp):
        env = slack_env(url, tmp, fake, HERALD_ALLOWED_USERS="U_ALLOWED", HERALD_ALLOWED_GROUPS="S_ONCALL",
                        HERALD_ALLOWED_CHANNELS="C_WARROOM")
        base, process, log = start_server(env, tmp)
        engine = db.make_engine(url)
        try:
            yield Served(base, process, db.make_sessionmaker(engine), SlackClient(base, fake.url), fake,
                         tmp / "site", log)
        finally:
            stop_server(process)
            engine.dispose()


def ephemeral(response: httpx.Response) -> str:
    """The text of an ephemeral slash-command answer, after checking it is one."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["response_type"] == "ephemeral"
    return str(body["text"])

"""Subscriber figures: how long after an update 10,000 email subscribers (1,000 webhooks) were all notified.

One `herald worker` process on SQLite (as `herald serve` runs it) sends to a real SMTP server (aiosmtpd's
Sink handler, in a process of its own) and to a plain HTTP receiver on 127.0.0.1 (also its own process),
each answering at once. The clock starts when the update's transaction has committed and stops when the
database says the last notification of that update was sent (SMTP 250 / HTTP 2xx came back before that).
The subscribers are written in bulk beforehand, confirmed, all components. --quick: 500 mails, 100 webhooks.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bot.commands import execute
from bot.config import load_config
from bot.domain.models import utcnow
from bot.store import db
from bot.subscribers.models import Notification, Subscriber
from bot.text import grammar
from herald.app import create_core
from tests.serving import free_port
from tests.support import make_env

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def run(quick: bool) -> dict[str, Any]:
    """Both figures, each on a fresh database and a fresh worker."""
    emails, hooks = (500, 100) if quick else (10_000, 1_000)
    with tempfile.TemporaryDirectory() as tmp:
        smtp_port, http_port = free_port(), free_port()
        sinks = [_spawn([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
                         "-c", "aiosmtpd.handlers.Sink"], Path(tmp)),
                 _spawn([sys.executable, "-c", RECEIVER, str(http_port)], Path(tmp))]
        try:
            time.sleep(1.0)  # both servers listening
            mail = notify(Path(tmp) / "mail", [f"s{n}@example.com" for n in range(emails)],
                          HERALD_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", HERALD_MAIL_FROM="status@example.com")
            web = notify(Path(tmp) / "hooks", [f"http://127.0.0.1:{http_port}/h{n}" for n in range(hooks)],
                         HERALD_WEBHOOK_ALLOW_PRIVATE="1")
        finally:
            for sink in sinks:
                sink.terminate()
                sink.wait(10)
    return {"email": mail, "webhooks": web, "target": "10,000 mails in < 60 s with one worker"}


def notify(folder: Path, addresses: list[str], **settings: str) -> dict[str, Any]:
    """Subscribe `addresses`, start one worker, post one update; seconds until each was told."""
    folder.mkdir()
    url = f"sqlite:///{folder / 'bench.db'}"
    db.upgrade(url)
    env = make_env(url, folder, HERALD_WORKER_POLL="0.5", **settings)
    core = create_core(load_config(env))
    now = utcnow()
    with db.transaction(core.sessions) as session:
        session.execute(insert(Subscriber), [
            {"channel": "webhook" if a.startswith("http") else "email", "address": a, "all_components": True,
             "secret": "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode() if a.startswith("http") else None,
             "confirm_token": secrets.token_urlsafe(24), "unsubscribe_token": secrets.token_urlsafe(24),
             "created_at": now, "requested_at": now, "confirmed_at": now} for a in addresses])
    worker = _spawn([sys.executable, "-c", "from herald.cli import main; main()", "worker"], folder, env)
    try:
        _ready(folder / "worker.log")
        started = time.perf_counter()
        execute(core, grammar.parse("open Checkout down -m Bench."))
        first = _until(core, 1, started)
        last = _until(core, len(addresses), started)
    finally:
        worker.terminate()
        worker.wait(30)
        core.engine.dispose()
    return {"subscribers": len(addresses), "first_s": round(first, 2), "all_s": round(last, 2),
            "per_second": round(len(addresses) / last, 1)}


def _ready(log: Path, limit: float = 60.0) -> None:
    """Wait until the worker says it is delivering (its start-up is not part of the figure)."""
    deadline = time.monotonic() + limit
    while "delivering for" not in (log.read_text() if log.exists() else ""):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the worker did not start: {log.read_text() if log.exists() else 'no log'}")
        time.sleep(0.05)
    time.sleep(0.5)  # its lanes start right after


def _until(core: Any, wanted: int, started: float, limit: float = 600.0) -> float:
    """Seconds from `started` until `wanted` notifications are sent."""
    while time.perf_counter() - started < limit:
        with core.sessions() as session:
            sent = session.scalar(select(func.count(Notification.id)).where(Notification.state == "sent")) or 0
        if sent >= wanted:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise TimeoutError(f"only {sent} of {wanted} notifications sent in {limit} s")


def _spawn(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "SLACK_", "DATABASE_URL"))}
    log = cwd / ("worker.log" if argv[-1] == "worker" else f"{Path(argv[-1]).name}.log")
    return subprocess.Popen(argv, cwd=cwd, env={**clean, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=log.open("wb"))

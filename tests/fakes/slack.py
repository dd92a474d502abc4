"""A fake Slack Web API and response_url receiver on 127.0.0.1, for the real slack_sdk client to talk to.

It records every call (method, parameters, when it finished) and answers with only the keys real
responses have (tests/handlers/refs/slack/api/ and the OpenAPI subset for usergroups.users.list).
A test can `hold(method)` to make that method block until released, to prove that Herald's HTTP
response never waits on the Web API.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = "U0BOT0000"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    finished: bool = False


@dataclass
class FakeSlack:
    """The server's state: recorded calls, held methods, user groups, and message timestamps."""

    groups: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    held: dict[str, threading.Event] = field(default_factory=dict)
    held_text: dict[str, str] = field(default_factory=dict)
    failures: dict[str, tuple[int, str, dict[str, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    url: str = ""
    socket_url: str = ""  # what apps.connections.open hands out (see tests/fakes/slack_socket.py)

    def hold(self, method: str, containing: str = "") -> threading.Event:
        """Make calls of `method` (whose parameters contain `containing`) block, at most 15 s, until released."""
        self.held[method] = threading.Event()
        self.held_text[method] = containing
        return self.held[method]

    def fail(self, method: str, error: str, status: int = 200, headers: dict[str, str] | None = None) -> None:
        """Make every later call of `method` fail as Slack does: `{"ok": false, "error": …}`."""
        self.failures[method] = (status, error, headers or {})

    def of(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call to `method`, in arrival order."""
        with self.lock:
            return [c.params for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0, finished: bool = True
                 ) -> list[dict[str, Any]]:
        """Wait until `method` was called (and answered) `count` times; return their parameters."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                done = [c.params for c in self.calls if c.method == method and (c.finished or not finished)]
            if len(done) >= count:
                return done
            time.sleep(0.01)
        raise AssertionError(f"{method} was called {len(done)} times, expected {count}: {self.methods()}")

    def methods(self) -> list[str]:
        """Every method called so far, in order."""
        with self.lock:
            return [c.method for c in self.calls]

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The JSON a real Slack would return for `method`."""
        ts = f"1700000000.{next(self.counter):06d}"
        channel = str(params.get("channel", "C00000000"))
        message = {"type": "message", "text": params.get("text", ""), "user": BOT_USER, "bot_id": "B00000000",
                   "ts": ts, "blocks": _json(params.get("blocks")) or []}
        answers: dict[str, dict[str, Any]] = {
            "auth.test": {"ok": True, "url": "https://herald-test.slack.com/", "team": "Herald Test",
                          "user": "herald", "team_id": "T00000000", "user_id": BOT_USER,
                          "bot_id": "B00000000", "is_enterprise_install": False},
            "chat.postMessage": {"ok": True, "channel": channel, "ts": ts, "message": message},
            "chat.update": {"ok": True, "channel": channel, "ts": params.get("ts"),
                            "text": params.get("text", ""),
                            "message": {k: v for k, v in message.items() if k != "ts"}},
            "chat.postEphemeral": {"ok": True, "message_ts": ts},
            "views.open": {"ok": True, "view": _view(params)},
            "views.update": {"ok": True, "view": _view(params)},
            "apps.connections.open": {"ok": True, "url": self.socket_url},
            "usergroups.users.list": {"ok": True, "users": self.groups.get(str(params.get("usergroup")), [])},
        }
        return answers.get(method, {"ok": False, "error": "unknown_method"})


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _view(params: dict[str, Any]) -> dict[str, Any]:
    view = _json(params.get("view")) or {}
    return {"id": params.get("view_id") or "V00000001", "team_id": "T00000000", "type": view.get("type"),
            "title": view.get("title"), "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
            "state": {"values": {}}, "hash": "1700000000.abcdef", "app_id": "A00000000",
            "bot_id": "B00000000"}


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            params = _parse(raw, self.headers.get("Content-Type", ""))
            method = self.path.rsplit("/", 1)[-1] if self.path.startswith("/api/") else "response_url"
            if method == "response_url":
                params["_path"] = self.path
            call = Call(method, params)
            with fake.lock:
                fake.calls.append(call)
            if method in fake.held and fake.held_text.get(method, "") in raw:
                fake.held[method].wait(15)
            status, error, headers = fake.failures.get(method, (200, "", {}))
            answer = fake.answer(method, params) if method != "response_url" else {"ok": True}
            body = json.dumps({"ok": False, "error": error} if error else answer)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())
            call.finished = True

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(raw or "{}"))
    return dict(parse_qsl(raw, keep_blank_values=True))


def start(groups: dict[str, list[str]] | None = None) -> tuple[FakeSlack, ThreadingHTTPServer]:
    """Start the fake on a free port; `fake.url` is its base (Web API under /api/, response URLs under /r/)."""
    fake = FakeSlack(groups=groups or {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, name="fake-slack", daemon=True).start()
    return fake, server

"""Fake external services on 127.0.0.1: real HTTP servers with recorded requests and injected faults.

A fake is a context manager (`with FakeTwitter() as api: api.url`). Every request is recorded in
`requests`. Faults come from a scripted queue (`script("5xx", "429")`) first, then from a seeded
failure rate (`rate=0.3, seed=7`). Kinds:
- `5xx`: answer 503 without doing the work;
- `429`: answer the service's rate-limit response (reset headers / `wait_seconds`);
- `slow`: sleep `slow_seconds`, then do the work and answer (a client timeout sees "maybe sent");
- `drop`: close the connection without doing the work or answering;
- `lost`: do the work, then close the connection without answering (the answer is lost).
A scripted `Reply` is answered as it is, without doing the work (e.g. a particular 422).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULT_KINDS = ("5xx", "429", "slow", "drop", "lost")


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw: bytes = b""  # the body as it came, for checks on the exact bytes (webhook signatures)


@dataclass
class Reply:
    """What a route answers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Faults:
    """Scripted faults first, then random ones at `rate` from a seeded RNG; thread-safe."""

    def __init__(self, rate: float = 0.0, seed: int = 0, kinds: tuple[str, ...] = FAULT_KINDS) -> None:
        self.rate, self.kinds = rate, kinds
        self.queue: deque[str | Reply | None] = deque()
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: list[str] = []  # every fault applied, in order

    def next(self) -> str | Reply | None:
        """The fault for the next request, or None to answer normally."""
        with self.lock:
            kind = self.queue.popleft() if self.queue else self._random()
            if kind:
                self.injected.append(kind if isinstance(kind, str) else f"reply {kind.status}")
            return kind

    def _random(self) -> str | None:
        if self.rate and self.rng.random() < self.rate:
            return self.rng.choice(self.kinds)
        return None


class FakeServer:
    """A ThreadingHTTPServer on a free port of 127.0.0.1; subclasses implement `route`."""

    def __init__(self, *, rate: float = 0.0, seed: int = 0, kinds: tuple[str, ...] = FAULT_KINDS,
                 slow_seconds: float = 2.0, wait_seconds: int = 5) -> None:
        self.faults = Faults(rate, seed, kinds)
        self.slow_seconds, self.wait_seconds = slow_seconds, wait_seconds
        self.requests: list[Recorded] = []
        self.lock = threading.RLock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, *kinds: str | Reply | None) -> None:
        """Queue faults for the next requests, in order (None = answer normally)."""
        with self.faults.lock:
            self.faults.queue.extend(kinds)

    def route(self, request: Recorded) -> Reply:
        """Answer one request (the service's behaviour)."""
        raise NotImplementedError

    def rate_limited(self) -> Reply:
        """The service's 429 answer."""
        raise NotImplementedError

    def server_error(self) -> Reply:
        """The service's 5xx answer."""
        return Reply(503, {"errors": ["Service Unavailable"]})

    def handle(self, request: Recorded) -> Reply | None:
        """Record the request, apply any fault and route it; a None reply means drop the connection."""
        with self.lock:
            self.requests.append(request)
        fault = self.faults.next()
        if isinstance(fault, Reply):
            return fault
        if fault == "5xx":
            return self.server_error()
        if fault == "429":
            return self.rate_limited()
        if fault == "drop":
            return None
        if fault == "slow":
            time.sleep(self.slow_seconds)
        with self.lock:
            reply = self.route(request)
        return None if fault == "lost" else reply


def _handler_for(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw and "json" in (self.headers.get("Content-Type") or "") else raw
            request = Recorded(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body,
                               raw)
            reply = server.handle(request)
            if reply is None:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            data = b"" if reply.body is None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler

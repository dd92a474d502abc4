"""A fake message service for worker tests: channels of threaded messages on 127.0.0.1.

`POST /<channel>/messages` with JSON {incident, update, revision, parent, text} and an
`Idempotency-Key` header creates a message and answers 201 {id, url}. Like Discourse's topic
`external_id` or X's duplicate detection, a key it has seen answers 200 with the message already made
(a `replay`), so a client that lost an answer can safely ask again; nothing else is deduplicated.
A reply must name the thread's latest message as `parent` (409 otherwise), so order is checked
as the messages arrive. Besides the shared faults (tests.fakes), a channel can be `down` (503 to
everything), `refusing` (401, a permanent error) or `held` (requests wait until released).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes import FakeServer, Recorded, Reply


@dataclass
class Message:
    id: str
    channel: str
    incident: int
    update: int
    revision: int
    parent: str | None
    text: str
    key: str
    received_at: float = field(default_factory=time.time)


class Receiver(FakeServer):
    """The fake; `messages` lists what was created, per channel, in creation order."""

    def __init__(self, *, retry_after: str = "0.2", **faults: Any) -> None:
        super().__init__(**faults)
        self.retry_after = retry_after
        self.messages: dict[str, list[Message]] = {}
        self.by_key: dict[tuple[str, str], Message] = {}
        self.replays = 0
        self.conflicts: list[str] = []
        self.down: set[str] = set()
        self.refusing: set[str] = set()
        self.gates: dict[str, threading.Event] = {}
        self.waiting: dict[str, int] = {}
        self.ids = itertools.count(1)

    def hold(self, channel: str) -> None:
        """Make requests to `channel` wait (at most 60 s) until `release`."""
        self.gates[channel] = threading.Event()

    def release(self, channel: str) -> None:
        """Let held requests to `channel` through."""
        self.gates.pop(channel).set()

    def handle(self, request: Recorded) -> Reply | None:
        """Apply the channel's state (held, down, refusing), then the shared faults and the route."""
        channel = request.path.strip("/").split("/")[0]
        gate = self.gates.get(channel)
        if gate is not None:
            with self.lock:
                self.waiting[channel] = self.waiting.get(channel, 0) + 1
            gate.wait(60)
            with self.lock:
                self.waiting[channel] -= 1
        if channel in self.down:
            return self.server_error()
        if channel in self.refusing:
            return Reply(401, {"error": "bad credentials"})
        return super().handle(request)

    def rate_limited(self) -> Reply:
        """429 with Retry-After, in (possibly fractional) seconds."""
        return Reply(429, {"error": "slow down"}, {"Retry-After": self.retry_after})

    def route(self, request: Recorded) -> Reply:
        """Create (or replay) a message; runs under the server lock."""
        match = re.fullmatch(r"/(\w+)/messages", request.path)
        if request.method != "POST" or not match:
            return Reply(404, {"error": f"no route {request.method} {request.path}"})
        channel, body = match.group(1), request.body
        key = request.headers.get("Idempotency-Key", "")
        known = self.by_key.get((channel, key)) if key else None
        if known is not None:
            self.replays += 1
            return Reply(200, self._answer(known))
        thread = [m for m in self.messages.get(channel, []) if m.incident == body["incident"]]
        latest = thread[-1].id if thread else None
        if body.get("parent") != latest:
            self.conflicts.append(f"{channel} #{body['incident']} u{body['update']}: parent "
                                  f"{body.get('parent')} but latest is {latest}")
            return Reply(409, {"error": f"parent must be the latest message, {latest}"})
        message = Message(f"{channel}-{next(self.ids)}", channel, body["incident"], body["update"],
                          body.get("revision", 0), body.get("parent"), body.get("text", ""), key)
        self.messages.setdefault(channel, []).append(message)
        if key:
            self.by_key[(channel, key)] = message
        return Reply(201, self._answer(message))

    def _answer(self, message: Message) -> dict[str, Any]:
        return {"id": message.id, "url": f"{self.url}/{message.channel}/{message.id}"}

    def chain(self, channel: str, incident: int) -> list[tuple[int, int]]:
        """(update, revision) of each message of `incident` in `channel`, in creation order."""
        with self.lock:
            return [(m.update, m.revision) for m in self.messages.get(channel, []) if m.incident == incident]

    def count(self, channel: str | None = None) -> int:
        """How many messages were created (in `channel`, or in all)."""
        with self.lock:
            chans = [channel] if channel else list(self.messages)
            return sum(len(self.messages.get(c, [])) for c in chans)

"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every mail it accepts, parsed by the stdlib.

Faults are scripted per stage (`script("rcpt", "451 4.7.1 Try again later")`), or drawn at a seeded
`rate` from `kinds`: `421` (closing, at DATA), `451` (try later, at RCPT), `550` (no such user, at
RCPT), `drop` (the connection closes after the message is read, before any answer: it may have been
delivered — here it was not), `lost` (the message is kept, then the connection closes unanswered).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import deque
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.serving import free_port

REPLIES = {"421": "421 4.3.2 Service shutting down, closing channel", "451": "451 4.7.1 Try again later",
           "550": "550 5.1.1 No such user here"}
STAGE = {"421": "data", "451": "rcpt", "550": "rcpt", "drop": "data", "lost": "data"}


@dataclass(frozen=True)
class Received:
    """One accepted mail: the envelope and the parsed message."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    def header(self, name: str) -> str:
        return str(self.message.get(name, "")).strip()  # a folded header keeps the space it was folded at


class SmtpSink:
    """`with SmtpSink() as sink: sink.url` → smtp://127.0.0.1:PORT; `sink.mails` in arrival order."""

    def __init__(self, *, rate: float = 0.0, seed: int = 0,
                 kinds: tuple[str, ...] = ("421", "451", "drop", "lost"), delay: float = 0.0) -> None:
        self.mails: list[Received] = []
        self.queue: deque[tuple[str, str]] = deque()
        self.rate, self.kinds, self.rng = rate, kinds, random.Random(seed)
        self.injected: list[str] = []
        self.refused: dict[str, str] = {}
        self.delay = delay  # seconds each DATA takes: a slow server, so a batch takes long enough to be killed
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.url = f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def refuse(self, address: str, reply: str = "550") -> None:
        """Answer every RCPT TO `address` with `reply` (a code of REPLIES)."""
        with self.lock:
            self.refused[address] = reply

    def script(self, *faults: str) -> None:
        """Queue faults (`421`, `451`, `550`, `drop`, `lost`) for the next mails, in order."""
        with self.lock:
            self.queue.extend((STAGE[f], f) for f in faults)

    def fault(self, stage: str) -> str | None:
        with self.lock:
            if self.queue:
                if self.queue[0][0] != stage:
                    return None
                found = self.queue.popleft()[1]
            elif self.rate and self.rng.random() < self.rate:
                found = self.rng.choice(self.kinds)
                if STAGE[found] != stage:
                    return None
            else:
                return None
            self.injected.append(found)
            return found

    def to(self, address: str) -> list[Received]:
        """The mails received for `address`."""
        with self.lock:
            return [m for m in self.mails if address in m.recipients]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        fault = self.sink.refused.get(address) or self.sink.fault("rcpt")
        if fault:
            return REPLIES[fault]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        fault = self.sink.fault("data")
        if fault in ("421",):
            return REPLIES[fault]
        if fault != "drop":
            parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            with self.sink.lock:
                self.sink.mails.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed))
        if fault in ("drop", "lost"):
            server.transport.close()
            return "421 closed"  # never reaches the client
        return "250 OK"

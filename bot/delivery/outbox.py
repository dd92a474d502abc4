"""The outbox seen from the command side: summaries, re-queueing, and waking the worker."""

from __future__ import annotations

import hashlib
import socket
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.domain.models import Delivery, Update

if TYPE_CHECKING:
    from bot.core import Core

CHANNEL = "herald_deliveries"  # PostgreSQL LISTEN/NOTIFY channel
wake = threading.Event()  # set when work arrives, for a worker thread in this process


def notify(core: Core) -> None:
    """Tell workers that new deliveries are due: this process's event, NOTIFY on PostgreSQL, and on a
    SQLite file a datagram to the worker process of the same database (bot.delivery.wakeup)."""
    wake.set()
    if core.engine.dialect.name == "postgresql":
        with core.engine.connect() as conn:
            conn.execute(text(f"NOTIFY {CHANNEL}"))
            conn.commit()
        return
    address = local_address(core.config.database_url)
    if address is not None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.setblocking(False)
                sock.sendto(b"w", address)
        except OSError:  # no worker listens (or its queue is full, so it is awake anyway): it still polls
            pass


def local_address(database_url: str) -> str | None:
    """The Linux abstract Unix socket a worker on this SQLite file listens on for wake-ups; None elsewhere."""
    url = make_url(database_url)
    if sys.platform != "linux" or url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    name = hashlib.sha256(str(Path(url.database or "").resolve()).encode()).hexdigest()[:32]
    return f"\0herald-wake-{name}"


@dataclass(frozen=True)
class DeliverySummary:
    """One delivery as templates and receipts see it (typed, so a template cannot reach a dict method)."""

    update_number: int
    publisher: str
    revision: int
    state: str  # pending | sent | failed | dead (docs/delivery.md)
    attempts: int
    error: str | None
    url: str | None
    next_attempt_at: datetime | None
    sandbox: bool = False

    @property
    def retrying(self) -> bool:
        """True while an attempt has failed and another is scheduled (pending with an error)."""
        return self.state == "pending" and self.error is not None

    @property
    def needs_person(self) -> bool:
        """True when nothing more happens until someone presses Retry (failed or dead)."""
        return self.state in ("failed", "dead")


def summary(session: Session, incident_id: int, *, update_id: int | None = None) -> list[DeliverySummary]:
    """Each delivery of an incident (or of one update): number, publisher, revision, state, error, URL."""
    query = (select(Delivery, Update.number).join(Update, Delivery.update_id == Update.id)
             .where(Delivery.incident_id == incident_id).order_by(Delivery.id))
    if update_id is not None:
        query = query.where(Delivery.update_id == update_id)
    rows = session.execute(query)
    return [  # the update number comes from the join: one query, not one per delivery
        DeliverySummary(update_number=number, publisher=d.publisher, revision=d.revision, state=d.state,
                        attempts=d.attempts, error=d.last_error, url=d.url, next_attempt_at=d.next_attempt_at,
                        sandbox=d.sandbox)
        for d, number in rows
    ]


def requeue(session: Session, *, incident_id: int, now: datetime) -> int:
    """Put the failed and dead deliveries of an incident back in the queue; returns how many."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.incident_id == incident_id, Delivery.state.in_(("failed", "dead")))
        .values(state="pending", next_attempt_at=now, attempts=0, claimed_until=None, claimed_by=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""The outbox seen from the command side: summaries, re-queueing, and waking the worker."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bot.domain.models import Delivery, Update

if TYPE_CHECKING:
    from bot.core import Core

CHANNEL = "herald_deliveries"  # PostgreSQL LISTEN/NOTIFY channel
wake = threading.Event()  # set when work arrives, for a worker thread in this process


def notify(core: Core) -> None:
    """Tell workers that new deliveries are due: this process's event, and NOTIFY on PostgreSQL."""
    wake.set()
    if core.engine.dialect.name == "postgresql":
        with core.engine.connect() as conn:
            conn.execute(text(f"NOTIFY {CHANNEL}"))
            conn.commit()


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

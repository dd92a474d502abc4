"""Claiming outbox rows: one atomic statement that leases due deliveries to one worker.

A claim is a lease: `claimed_by` names the worker and `claimed_until` is when the lease runs out, so
a worker killed mid-publish holds nothing forever; once the lease expires another worker takes it.
A live worker renews the leases of its deliveries in flight (for up to MAX_HOLD), so a slow channel
does not make its delivery look abandoned.
Every claim counts as an attempt, so a delivery that kills its worker still ends `dead` at the limit.

Order: a delivery is claimable only while no earlier delivery of its (incident, publisher) is still
`pending` (waiting or retrying), so updates go out strictly in order while they can (a reply needs its
parent). A `failed` or `dead` one never holds the rest back: a refusal that no retry can fix (a 422
"too similar", a rejected text) would otherwise stall that incident's lane forever. It waits, shown
with a Retry button, while later updates go on; re-queued (`/incident retry`, `herald retry`), it
goes out next, after the updates already sent.

PostgreSQL locks the chosen rows with FOR UPDATE SKIP LOCKED, so several workers never wait on or
take the same row; SQLite runs the same UPDATE … WHERE id IN (SELECT …) RETURNING under the
BEGIN IMMEDIATE that bot.store.db issues, which serialises writers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, type_coerce, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from bot.delivery import lease as leases
from bot.domain.models import Delivery, UTCDateTime


def _head_of_line() -> ColumnElement[bool]:
    """True for a delivery with no earlier pending delivery of the same incident and publisher."""
    earlier = aliased(Delivery)
    blocked = select(earlier.id).where(
        earlier.incident_id == Delivery.incident_id,
        earlier.publisher == Delivery.publisher,
        earlier.id < Delivery.id,
        earlier.state == "pending",  # failed and dead wait for a person without holding the lane
    )
    return ~blocked.exists()


def claim(session: Session, *, publisher: str, worker: str, now: datetime, lease: float,
          limit: int) -> list[int]:
    """Lease up to `limit` due deliveries of `publisher` to `worker`; their ids, oldest due first."""
    due = (
        select(Delivery.id)
        .where(Delivery.publisher == publisher, Delivery.state == "pending", Delivery.next_attempt_at <= now,
               leases.unleased(Delivery.claimed_until, now), _head_of_line())
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    return leases.lease(session, Delivery, due, {"claimed_by": worker, "attempts": Delivery.attempts + 1,
                                                 "claimed_until": now + timedelta(seconds=lease)})


def release(session: Session, *, ids: Iterable[int], worker: str) -> int:
    """Give back claims this worker still holds (on shutdown): due again at once, attempt not counted."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.claimed_by == worker, Delivery.state == "pending")
        .values(claimed_by=None, claimed_until=None, attempts=Delivery.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def renew(session: Session, *, ids: Iterable[int], worker: str, now: datetime, lease: float) -> int:
    """Extend this worker's leases on deliveries still in flight (a heartbeat); how many it holds."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.claimed_by == worker, Delivery.state == "pending")
        .values(claimed_until=now + timedelta(seconds=lease))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def next_due(session: Session, *, publishers: Iterable[str], now: datetime) -> datetime | None:
    """The earliest instant a delivery of `publishers` could next be claimed, or None if none waits."""
    ready = func.coalesce(Delivery.claimed_until, Delivery.next_attempt_at)
    when = func.max(Delivery.next_attempt_at, ready) if _is_sqlite(session) else func.greatest(
        Delivery.next_attempt_at, ready)
    return session.scalar(
        select(type_coerce(func.min(when), UTCDateTime())).where(
            and_(Delivery.publisher.in_(list(publishers)), Delivery.state == "pending", _head_of_line())
        )
    )


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"

"""Helpers for the subscribers' tests: subscribe, run the fan-out job, drain a notifier's lane."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from bot.core import Core
from bot.domain.models import utcnow
from bot.store import db
from bot.subscribers import notifiers, service
from bot.subscribers.lanes import Lane
from bot.subscribers.models import Notification, Subscriber


def subscribe(core: Core, address: str, *components: str, confirmed: bool = True,
              now: datetime | None = None) -> service.Requested:
    """Subscribe `address` through the domain (confirmed unless told otherwise)."""
    with db.transaction(core.sessions) as session:
        return service.subscribe(session, address=address, components=components, now=now or utcnow(),
                                 confirmed=confirmed)


def lane(core: Core, channel: str, worker: str = "test") -> Lane:
    """The lane of the enabled notifier of `channel`."""
    return Lane(core, notifiers.load(core.context)[channel], worker=worker, now=utcnow)


def drain(core: Core, channels: Sequence[str] = ("email", "webhook"), *, rounds: int = 1000) -> int:
    """Turn each lane (each runs the due fan-outs first) until none claims anything; how many were claimed."""
    claimed = 0
    enabled = notifiers.load(core.context)
    lanes = [Lane(core, enabled[c], worker="test", now=utcnow) for c in channels if c in enabled]
    for _ in range(rounds):
        took = sum(one.turn() for one in lanes)
        claimed += took
        if not took:
            break
    return claimed


def rows(core: Core, **where: object) -> list[Notification]:
    """Notification rows, optionally filtered by column values."""
    with core.sessions() as session:
        query = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list(session.scalars(query))


def subscriber(core: Core, address: str) -> Subscriber:
    """The subscriber row of `address`."""
    with core.sessions() as session:
        found = session.scalar(select(Subscriber).where(Subscriber.address == address))
        assert found is not None
        return found


def subscriber_address(core: Core, subscriber_id: int) -> str:
    """The address of subscriber `subscriber_id`."""
    with core.sessions() as session:
        found = session.get(Subscriber, subscriber_id)
        assert found is not None
        return found.address

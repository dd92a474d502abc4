"""What people read about subscribers: counts per channel and component (`/incident subscribers`), the
list and export of the CLI, and the per-incident receipt line in Slack (`Email 1,204 ✓ · 3 retrying`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.models import Component, Update
from bot.subscribers.models import Notification, Subscriber, SubscriberComponent


@dataclass(frozen=True)
class SubscriberView:
    """One subscriber as the CLI lists and exports it (a webhook's secret is never shown again)."""

    id: int
    channel: str
    address: str
    components: tuple[str, ...]
    state: str  # active | awaiting confirmation | unsubscribed | disabled
    created_at: datetime
    confirmed_at: datetime | None
    disabled_reason: str | None = None


@dataclass(frozen=True)
class Counts:
    """Subscribers per channel and state, and active ones per component (`all` for every component)."""

    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    by_component: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NoticeTally:
    """How one update's notices stand on one channel, for the receipts."""

    channel: str
    sent: int = 0
    queued: int = 0
    retrying: int = 0
    failed: int = 0  # failed or dead
    disabled: int = 0  # of those, subscribers now disabled (gone, or past the retry limit)

    @property
    def total(self) -> int:
        """Every notice of the update on this channel (cancelled ones aside)."""
        return self.sent + self.queued + self.retrying + self.failed


def state_of(s: Subscriber) -> str:
    """A subscriber's state in words."""
    if s.unsubscribed_at is not None:
        return "unsubscribed"
    if s.disabled_at is not None:
        return "disabled"
    return "active" if s.confirmed_at is not None else "awaiting confirmation"


def listing(session: Session) -> list[SubscriberView]:
    """Every subscriber, oldest first."""
    chosen: dict[int, list[str]] = {}
    for subscriber_id, name in session.execute(select(SubscriberComponent.subscriber_id, Component.name)
                                               .join(Component).order_by(Component.position)):
        chosen.setdefault(subscriber_id, []).append(name)
    return [SubscriberView(s.id, s.channel, s.address, tuple(chosen.get(s.id, ())), state_of(s), s.created_at,
                           s.confirmed_at, s.disabled_reason)
            for s in session.scalars(select(Subscriber).order_by(Subscriber.id))]


def counts(session: Session) -> Counts:
    """Subscribers per channel and state; active ones per chosen component."""
    by_channel: dict[str, dict[str, int]] = {}
    for s in session.scalars(select(Subscriber)):
        states = by_channel.setdefault(s.channel, {})
        states[state_of(s)] = states.get(state_of(s), 0) + 1
    active = (Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None),
              Subscriber.disabled_at.is_(None))
    every = session.scalar(select(func.count(Subscriber.id)).where(Subscriber.all_components.is_(True), *active))
    per = session.execute(select(Component.name, func.count(SubscriberComponent.id)).join(SubscriberComponent)
                          .join(Subscriber).where(*active).group_by(Component.name, Component.position)
                          .order_by(Component.position))
    return Counts(by_channel, {"all": every or 0, **{name: n for name, n in per}})


def tallies(session: Session, incident_id: int) -> list[NoticeTally]:
    """Per channel, how the notices of the incident's newest notified update stand."""
    newest = session.scalar(select(func.max(Update.number)).join(Notification, Notification.update_id == Update.id)
                            .where(Notification.incident_id == incident_id))
    if newest is None:
        return []
    erred, off = Notification.last_error.is_not(None), Subscriber.disabled_at.is_not(None)
    rows = session.execute(
        select(Notification.channel, Notification.state, erred, off, func.count())
        .join(Update, Notification.update_id == Update.id).join(Subscriber)
        .where(Update.incident_id == incident_id, Update.number == newest, Notification.state != "cancelled")
        .group_by(Notification.channel, Notification.state, erred, off))
    found: dict[str, dict[str, int]] = {}
    for channel, state, has_error, disabled, n in rows:
        key = {"sent": "sent", "failed": "failed", "dead": "failed"}.get(state, "retrying" if has_error else "queued")
        tally = found.setdefault(channel, {})
        tally[key] = tally.get(key, 0) + n
        if key == "failed" and disabled:
            tally["disabled"] = tally.get("disabled", 0) + n
    return [NoticeTally(channel, **tally) for channel, tally in sorted(found.items())]

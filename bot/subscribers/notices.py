"""Claimed notification rows as Notice views for the notifiers, read in a few set-based queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.domain import reading
from bot.domain.models import Component, Incident
from bot.domain.snapshots import Event, IncidentView
from bot.domain.vocabulary import page_indicator
from bot.plugins.contract import Notice
from bot.subscribers.models import Notification, Subscriber, SubscriberComponent


def load(session: Session, ids: Sequence[int], *, worker: str, config: Config) -> list[Notice]:
    """The notices of the notifications `ids` this worker holds, still owed to someone who wants them."""
    rows = session.execute(select(Notification, Subscriber).join(Subscriber).where(
        Notification.id.in_(list(ids)), Notification.claimed_by == worker, Notification.state == "pending")
        .order_by(Notification.id)).all()
    wanted = [(n, s) for n, s in rows if _owed(n, s)]
    views = reading.incidents(session, public_url=config.public_url,
                              wanted={n.incident_id for n, _ in wanted if n.incident_id is not None})
    roots = _thread_roots(session, wanted)
    chosen = _components(session, [s.id for _, s in wanted])
    indicator = _indicator(session)
    return [_notice(n, s, config, views, roots, chosen, indicator) for n, s in wanted]


def _owed(n: Notification, s: Subscriber) -> bool:
    """An update is owed to an active subscriber; a confirmation to one not yet confirmed who has not left."""
    if n.kind == "confirm":
        return s.confirmed_at is None and s.unsubscribed_at is None and s.disabled_at is None
    return s.active


def _notice(n: Notification, s: Subscriber, config: Config, views: dict[int, IncidentView],
            roots: dict[tuple[int, int], int], chosen: dict[int, tuple[str, ...]], indicator: str) -> Notice:
    event = None
    if n.incident_id is not None and n.incident_id in views:
        view = views[n.incident_id]
        event = Event(view, next(u for u in view.updates if u.id == n.update_id), 0)
    return Notice(id=n.id, kind=n.kind, address=s.address, unsubscribe_url=link(config, "unsubscribe",
                  s.unsubscribe_token), confirm_url=link(config, "subscribe/confirm", s.confirm_token),
                  secret=s.secret, components=chosen.get(s.id, ()), event=event,
                  thread_root=roots.get((s.id, n.incident_id or 0)), indicator=indicator)


def link(config: Config, path: str, token: str) -> str:
    """`https://status.example.com/unsubscribe?token=…` on `herald serve`'s public URL."""
    return f"{config.public_url.rstrip('/')}/{path}?token={quote(token)}"


def _thread_roots(session: Session, rows: list[tuple[Notification, Subscriber]]) -> dict[tuple[int, int], int]:
    """(subscriber, incident) → the id of the subscriber's first notice about the incident."""
    pairs = {(s.id, n.incident_id) for n, s in rows if n.incident_id is not None}
    if not pairs:
        return {}
    query = (select(Notification.subscriber_id, Notification.incident_id, func.min(Notification.id))
             .where(Notification.kind == "update", Notification.subscriber_id.in_({s for s, _ in pairs}),
                    Notification.incident_id.in_({i for _, i in pairs}))
             .group_by(Notification.subscriber_id, Notification.incident_id))
    return {(s, i or 0): first for s, i, first in session.execute(query)}


def _components(session: Session, subscriber_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    query = (select(SubscriberComponent.subscriber_id, Component.name).join(Component)
             .where(SubscriberComponent.subscriber_id.in_(set(subscriber_ids))).order_by(Component.position))
    for subscriber_id, name in session.execute(query):
        found.setdefault(subscriber_id, []).append(name)
    return {k: tuple(v) for k, v in found.items()}


def _indicator(session: Session) -> str:
    """The page's overall indicator now (Statuspage's `page.status_indicator`)."""
    statuses: list[Any] = list(session.scalars(select(Component.status)))
    impacts = session.scalars(select(Incident.impact).where(Incident.kind == "incident",
                                                            Incident.status != "resolved"))
    return page_indicator(statuses, list(impacts))

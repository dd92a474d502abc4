"""Reading incidents as views straight from the tables: a few set-based queries, frozen views out.

The read side every channel shares (the status page's full and incremental builds, the worker's
delivery, the Slack card and receipts): column selects (not ORM objects) keep a build of 10,000
incidents fast, and every view comes from the one builder in `bot.domain.snapshots`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.models import AffectedComponent, Component, Delivery, Incident, Thread, Update, UpdateRevision
from bot.domain.snapshots import (
    AffectedView,
    ComponentView,
    IncidentView,
    RevisionView,
    ThreadView,
    UpdateView,
    component_view,
    incident_view,
    update_view,
)
from bot.domain.uptime import Move
from bot.domain.vocabulary import FINISHED

CHUNK = 500  # ids per IN (...) query, well under every driver's parameter limit


def components(session: Session) -> list[ComponentView]:
    """Every component in page order."""
    query = select(Component).order_by(Component.position, Component.name)
    return [component_view(c) for c in session.scalars(query)]


def ids(session: Session, query: Select[Any]) -> list[int]:
    """The incident numbers a `select(Incident.id)…` query returns."""
    return list(session.scalars(query))


def open_ids(session: Session) -> list[int]:
    """Incidents and windows not finished (scheduled windows included)."""
    return ids(session, select(Incident.id).where(Incident.status.not_in(FINISHED)))


def newest_ids(session: Session, limit: int, kind: str | None = None) -> list[int]:
    """The `limit` highest-numbered incidents (of `kind`, when given)."""
    query = select(Incident.id).order_by(Incident.id.desc()).limit(limit)
    return ids(session, query if kind is None else query.where(Incident.kind == kind))


def recently_updated_ids(session: Session, limit: int) -> list[int]:
    """The `limit` incidents changed most recently (for the feeds)."""
    return ids(session, select(Incident.id).order_by(Incident.updated_at.desc(), Incident.id.desc()).limit(limit))


def starting_ids(session: Session, start: datetime, end: datetime) -> list[int]:
    """Incidents that began (or are scheduled to begin) in [start, end)."""
    began = func.coalesce(Incident.started_at, Incident.scheduled_for)
    return ids(session, select(Incident.id).where(began >= start, began < end))


def _chunks(query: Any, key: Any, wanted: Collection[int] | None, session: Session) -> Iterator[Any]:
    """Rows of `query`, all of them or those whose `key` is in `wanted`, in bounded IN batches."""
    if wanted is None:
        yield from session.execute(query)
        return
    ordered = sorted(set(wanted))  # a number asked for twice is read once
    for at in range(0, len(ordered), CHUNK):
        yield from session.execute(query.where(key.in_(ordered[at:at + CHUNK])))


def incidents(session: Session, *, public_url: str, wanted: Collection[int] | None = None,
              light: bool = False, tweets_from: str | None = None) -> dict[int, IncidentView]:
    """Views of the incidents numbered `wanted` (every incident when None), by number.

    `light` views carry no updates, components or threads: enough for a list entry. `tweets_from`
    names the channel whose post ids are tweet ids (its updates then carry `tweet_id`).
    """
    updates: dict[int, list[UpdateView]] = defaultdict(list)
    affected: dict[int, list[AffectedView]] = defaultdict(list)
    threads: dict[int, dict[str, ThreadView]] = defaultdict(dict)
    if not light:
        updates = _updates(session, wanted, tweets_from)
        _links(session, wanted, affected, threads)
    views = {}
    for row in _chunks(select(Incident), Incident.id, wanted, session):
        i = row[0]
        views[i.id] = incident_view(i, public_url, affected=tuple(affected[i.id]), updates=tuple(updates[i.id]),
                                    threads=threads[i.id])
    session.expunge_all()
    return views


def incident(session: Session, incident_id: int, *, public_url: str, tweets_from: str | None = None) -> IncidentView:
    """The view of one incident, or LookupError."""
    found = incidents(session, public_url=public_url, wanted=[incident_id], tweets_from=tweets_from)
    if incident_id not in found:
        raise LookupError(f"incident #{incident_id} vanished")
    return found[incident_id]


def thread_urls(session: Session, incident_id: int, channels: Collection[str]) -> list[str]:
    """The URLs of the incident's threads on `channels`."""
    return list(session.scalars(select(Thread.url).where(
        Thread.incident_id == incident_id, Thread.publisher.in_(list(channels)), Thread.url.is_not(None))))


def _links(session: Session, wanted: Collection[int] | None, affected: dict[int, list[AffectedView]],
           threads: dict[int, dict[str, ThreadView]]) -> None:
    """Fill in each incident's affected components and its threads on other channels."""
    query = (select(AffectedComponent.incident_id, Component.name, AffectedComponent.status)
             .join(Component).order_by(AffectedComponent.id))
    for row in _chunks(query, AffectedComponent.incident_id, wanted, session):
        affected[row.incident_id].append(AffectedView(row.name, row.status))
    query = select(Thread.incident_id, Thread.publisher, Thread.first_id, Thread.last_id, Thread.url, Thread.data)
    for row in _chunks(query, Thread.incident_id, wanted, session):
        threads[row.incident_id][row.publisher] = ThreadView(row.publisher, row.first_id, row.last_id,
                                                             row.url, dict(row.data or {}))


def _updates(session: Session, wanted: Collection[int] | None, tweets_from: str | None) -> dict[int, list[UpdateView]]:
    """Each incident's updates in number order, with their earlier texts."""
    revisions: dict[int, list[RevisionView]] = defaultdict(list)
    query = (select(UpdateRevision.update_id, UpdateRevision.revision, UpdateRevision.body,
                    UpdateRevision.replaced_at).join(Update).order_by(UpdateRevision.revision))
    for row in _chunks(query, Update.incident_id, wanted, session):
        revisions[row.update_id].append(RevisionView(row.revision, row.body, row.replaced_at))
    tweets = tweet_ids(session, wanted, tweets_from) if tweets_from else {}
    found: dict[int, list[UpdateView]] = defaultdict(list)
    rows = select(Update.id, Update.incident_id, Update.number, Update.status, Update.body, Update.display_at,
                   Update.created_at, Update.event, Update.revision, Update.edited_at,
                   Update.component_changes).order_by(Update.incident_id, Update.number)
    for row in _chunks(rows, Update.incident_id, wanted, session):
        found[row.incident_id].append(update_view(row, revisions=tuple(revisions[row.id]),
                                                  tweet_id=tweets.get(row.id)))
    return found


def tweet_ids(session: Session, wanted: Collection[int] | None, channel: str) -> dict[int, str]:
    """The id of the tweet each update was announced in on `channel` (its first revision, really sent)."""
    query = (select(Delivery.update_id, Delivery.external_id)
             .where(Delivery.publisher == channel, Delivery.state == "sent", Delivery.revision == 0,
                    Delivery.sandbox.is_(False), Delivery.external_id.is_not(None)))
    return {row.update_id: row.external_id for row in _chunks(query, Delivery.incident_id, wanted, session)}


def delivery_pending(session: Session, *, incident_id: int, update_number: int, revision: int,
                     channels: Collection[str]) -> bool:
    """True while the delivery of that update's revision to any of `channels` is still pending (not yet sent,
    failed or dead): a channel that copies another's output waits for it."""
    query = (select(Delivery.id).join(Update, Delivery.update_id == Update.id)
             .where(Delivery.incident_id == incident_id, Update.number == update_number,
                    Delivery.revision == revision, Delivery.publisher.in_(list(channels)),
                    Delivery.state == "pending"))
    return session.scalar(query.limit(1)) is not None


def component_moves(session: Session, since: datetime) -> list[Move]:
    """Every component move recorded by an incident that was still live at or after `since` (earlier moves of
    those incidents included: they give the components' statuses at `since`), oldest first."""
    query = (select(Update.incident_id, Update.display_at, Update.component_changes, Incident.title)
             .join(Incident, Update.incident_id == Incident.id)
             .where(or_(Incident.resolved_at.is_(None), Incident.resolved_at >= since))
             .order_by(Update.display_at, Update.incident_id, Update.number))
    return [Move(row.display_at, row.incident_id, change["name"], change["new_status"], row.title)
            for row in session.execute(query) for change in (row.component_changes or ())]


def incident_starts(session: Session) -> list[datetime]:
    """When each incident began or each window is scheduled to begin (for the history's counts per month)."""
    began = func.coalesce(Incident.started_at, Incident.scheduled_for)
    return [at for at in session.scalars(select(began).where(began.is_not(None)))]

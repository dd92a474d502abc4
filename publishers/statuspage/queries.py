"""Reading what the site shows straight from the tables: a few set-based queries, frozen views out.

Column selects (not ORM objects) keep a full build of 10,000 incidents fast; the views are the same
`bot.domain.snapshots` dataclasses every other publisher gets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
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
    incident_url,
)
from bot.domain.vocabulary import FINISHED

CHUNK = 500  # ids per IN (...) query, well under every driver's parameter limit
TWEETS = "twitter"  # the channel whose post ids Statuspage's JSON carries (`incident_updates[].tweet_id`)


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
    ordered = sorted(wanted)
    for at in range(0, len(ordered), CHUNK):
        yield from session.execute(query.where(key.in_(ordered[at:at + CHUNK])))


def incidents(session: Session, *, public_url: str, wanted: Collection[int] | None = None,
              light: bool = False) -> dict[int, IncidentView]:
    """Views of the incidents numbered `wanted` (every incident when None), by number.

    `light` views carry no updates, components or threads: enough for a list entry.
    """
    updates: dict[int, list[UpdateView]] = defaultdict(list)
    affected: dict[int, list[AffectedView]] = defaultdict(list)
    threads: dict[int, dict[str, ThreadView]] = defaultdict(dict)
    if not light:
        updates = _updates(session, wanted)
        _links(session, wanted, affected, threads)
    views = {}
    for row in _chunks(select(Incident), Incident.id, wanted, session):
        i = row[0]
        views[i.id] = IncidentView(
            id=i.id, kind=i.kind, title=i.title, impact=i.impact, status=i.status,
            url=incident_url(public_url, i.id), started_at=i.started_at, resolved_at=i.resolved_at,
            scheduled_for=i.scheduled_for, scheduled_until=i.scheduled_until, created_at=i.created_at,
            updated_at=i.updated_at, auto_transitions=i.auto_transitions, affected=tuple(affected[i.id]),
            updates=tuple(updates[i.id]), threads=threads[i.id])
    session.expunge_all()
    return views


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


def _updates(session: Session, wanted: Collection[int] | None) -> dict[int, list[UpdateView]]:
    """Each incident's updates in number order, with their earlier texts."""
    revisions: dict[int, list[RevisionView]] = defaultdict(list)
    query = (select(UpdateRevision.update_id, UpdateRevision.revision, UpdateRevision.body,
                    UpdateRevision.replaced_at).join(Update).order_by(UpdateRevision.revision))
    for row in _chunks(query, Update.incident_id, wanted, session):
        revisions[row.update_id].append(RevisionView(row.revision, row.body, row.replaced_at))
    tweets = tweet_ids(session, wanted)
    found: dict[int, list[UpdateView]] = defaultdict(list)
    rows = select(Update.id, Update.incident_id, Update.number, Update.status, Update.body, Update.display_at,
                   Update.created_at, Update.event, Update.revision, Update.edited_at,
                   Update.component_changes).order_by(Update.incident_id, Update.number)
    for row in _chunks(rows, Update.incident_id, wanted, session):
        found[row.incident_id].append(UpdateView(
            number=row.number, status=row.status, body=row.body, display_at=row.display_at,
            created_at=row.created_at, event=row.event, revision=row.revision, edited_at=row.edited_at,
            component_changes=tuple(row.component_changes or ()), revisions=tuple(revisions[row.id]),
            id=row.id, tweet_id=tweets.get(row.id)))
    return found


def tweet_ids(session: Session, wanted: Collection[int] | None) -> dict[int, str]:
    """The id of the tweet each update was announced in (its first revision, really sent), by update id."""
    query = (select(Delivery.update_id, Delivery.external_id)
             .where(Delivery.publisher == TWEETS, Delivery.state == "sent", Delivery.revision == 0,
                    Delivery.sandbox.is_(False), Delivery.external_id.is_not(None)))
    return {row.update_id: row.external_id for row in _chunks(query, Delivery.incident_id, wanted, session)}

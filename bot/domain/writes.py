"""What every domain command shares: writing an update with its outbox rows, component moves, checks.

Each function runs inside the caller's transaction. An update is written together with one pending
Delivery per publisher, so an update exists only with its outbox rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.domain import vocabulary as v
from bot.domain.models import AffectedComponent, Component, Delivery, Incident, Update
from bot.domain.queries import get_incident
from bot.errors import DomainError, InvalidTransition, NotFound
from bot.text.tokens import suggest

Changes = Sequence[tuple[str, str | None]]
FUTURE_SLACK = timedelta(minutes=2)


def write_update(session: Session, incident: Incident, *, status: str, body: str, at: datetime,
                  author: str | None, event: str, moves: list[dict[str, str]],
                  publishers: Sequence[str], now: datetime) -> Update:
    """Write the incident's next update, refresh component statuses if any moved, queue its deliveries."""
    # Numbered by a query, and not appended to incident.updates: the cost of an update must not
    # grow with the incident's history (the row lock taken by get_incident keeps numbers unique).
    last = session.scalar(select(func.max(Update.number)).where(Update.incident_id == incident.id))
    update = Update(incident_id=incident.id, number=(last or 0) + 1, status=status, body=body,
                    author=author, display_at=at, created_at=now, event=event, component_changes=moves)
    session.add(update)
    set_committed_value(update, "incident", incident)  # known already: no query when the jobs read it
    if "updates" in incident.__dict__:  # keep an already-loaded collection truthful
        session.expire(incident, ["updates"])
    incident.updated_at = now
    session.flush()
    if moves:  # only a change of some component's status can change the page's components
        refresh_component_statuses(session)
    queue(session, update, publishers, now)
    return update


def queue(session: Session, update: Update, publishers: Sequence[str], now: datetime) -> None:
    """One pending Delivery of `update` (at its revision) per publisher."""
    for name in dict.fromkeys(publishers):
        session.add(Delivery(update=update, incident_id=update.incident_id, publisher=name,
                             revision=update.revision, state="pending", next_attempt_at=now, created_at=now))
    session.flush()


def finish(session: Session, incident: Incident, *, body: str, at: datetime, author: str | None,
            publishers: Sequence[str], now: datetime) -> Update:
    """Resolve an incident or complete a window: its components return to operational."""
    final = v.FINAL[incident.kind]
    incident.status, incident.resolved_at = final, at
    moves = apply_changes(session, incident, [(a.component.name, "operational") for a in incident.affected])
    event = "resolve" if final == "resolved" else "complete"
    return write_update(session, incident, status=final, body=body, at=at, author=author, event=event,
                         moves=moves, publishers=publishers, now=now)


def apply_changes(session: Session, incident: Incident, changes: Changes, live: bool = True,
                   was_live: bool = True) -> list[dict[str, str]]:
    """Give each named component its status in `incident`; the moves (old → new) when `live`.

    `was_live=False`: the links held planned statuses (a scheduled window), which the page never showed,
    so each move starts from operational."""
    if not changes:  # most updates name no component: read neither the components nor the links
        return []
    known = {c.name: c for c in session.scalars(select(Component))}
    current = {a.component.name: a for a in incident.affected}
    moves = []
    for name, wanted in changes:
        if name not in known:
            raise NotFound(f'unknown component "{name}"{suggest(name, sorted(known))} '
                           f'(known: {", ".join(sorted(known)) or "none"})')
        status = wanted or (current[name].status if name in current else
                            v.IMPACT_DEFAULT_STATUS.get(incident.impact, "degraded_performance"))
        link = current.get(name)
        old = link.status if link and was_live else "operational"
        if link is None:
            link = AffectedComponent(component=known[name], status=status)
            incident.affected.append(link)
            current[name] = link
        link.status = status
        if live:
            moves.append({"name": name, "old_status": old, "new_status": status})
    return moves


def refresh_component_statuses(session: Session) -> None:
    """Each component's status is the worst over the open incidents and running windows affecting it."""
    worst: dict[int, list[str]] = {}
    live = select(AffectedComponent).join(Incident).where(
        Incident.status.not_in(v.NOT_LIVE))
    for link in session.scalars(live):
        worst.setdefault(link.component_id, []).append(link.status)
    for component in session.scalars(select(Component)):
        component.status = v.worst(worst.get(component.id, []))


def check_status(kind: str, status: str) -> None:
    """Refuse a status that is not one of `kind`'s."""
    allowed = v.STATUSES[kind]
    if status not in allowed:
        named = {"incident": "an incident", "maintenance": "a maintenance window"}.get(kind, f"a {kind}")
        raise InvalidTransition(f'"{status}" is not a status of {named}: use one of {", ".join(allowed)}')


def impact(impact: str | None) -> str:
    """The impact given (minor when none), if it is one."""
    impact = impact or "minor"
    if impact not in v.IMPACTS:
        raise DomainError(f'unknown impact "{impact}": use one of {", ".join(v.IMPACTS)}')
    return impact


def not_future(at: datetime | None, now: datetime) -> datetime | None:
    """`at`, refused when it lies in the future (`--at` backdates only)."""
    if at is not None and at > now + FUTURE_SLACK:
        raise DomainError("that time is in the future: --at can only backdate")
    return at


def after_start(incident: Incident, at: datetime) -> datetime:
    """`at`, refused when it lies before the incident started."""
    # A window not yet started takes notices (a reminder, a change of plan) before its start.
    start = incident.started_at or (incident.scheduled_for if incident.status != "scheduled" else None)
    if start is not None and at < start:
        raise DomainError(f"that time is before #{incident.id} started")
    return at


def maintenance(session: Session, incident_id: int) -> Incident:
    """The maintenance window `incident_id`, locked for writing; an incident is refused."""
    incident = get_incident(session, incident_id, lock=True)
    if incident.kind != "maintenance":
        raise InvalidTransition(f"#{incident.id} is an incident, not a maintenance window")
    return incident

"""The incident domain: every command Herald accepts, as keyword-only functions on a Session.

Nothing here knows Slack. Each function runs inside the caller's transaction and writes the update
together with one pending Delivery per publisher, so an update exists only with its outbox rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.domain import components as comp
from bot.domain.models import AffectedComponent, Component, Delivery, Incident, Update, UpdateRevision, utcnow
from bot.errors import DomainError, InvalidTransition, NotFound
from bot.text.tokens import suggest

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
IMPACTS = comp.IMPACT_RANK
Changes = Sequence[tuple[str, str | None]]
FUTURE_SLACK = timedelta(minutes=2)


def declare(session: Session, *, title: str, changes: Changes = (), impact: str | None = None,
            status: str | None = None, body: str = "", at: datetime | None = None,
            author: str | None = None, publishers: Sequence[str] = (), now: datetime | None = None) -> Update:
    """Declare an incident and write its first update."""
    now = now or utcnow()
    started = _not_future(at, now) or now
    status = status or "investigating"
    _check_status("incident", status)
    if status == "resolved":
        raise InvalidTransition("a new incident cannot start resolved; declare it, then resolve it")
    incident = Incident(kind="incident", title=title, impact=_impact(impact), status=status,
                        started_at=started, created_at=now)
    session.add(incident)
    session.flush()
    moves = _apply_changes(session, incident, changes)
    return _write_update(session, incident, status=status, body=body, at=started, author=author,
                         event="declare", moves=moves, publishers=publishers, now=now)


def post_update(session: Session, *, incident_id: int, status: str | None = None, changes: Changes = (),
                body: str = "", at: datetime | None = None, author: str | None = None,
                publishers: Sequence[str] = (), now: datetime | None = None) -> Update:
    """Post an update; after resolution it is a postscript that cannot change the status."""
    now = now or utcnow()
    incident = get_incident(session, incident_id, lock=True)
    when = _after_start(incident, _not_future(at, now) or now)
    event = "update"
    if not incident.is_open:
        if status not in (None, incident.status) or changes:
            raise InvalidTransition(f"#{incident.id} is {incident.status}: a later update is a postscript "
                                    "and cannot change its status or components")
        event = "postscript"
    new_status = status or incident.status
    _check_status(incident.kind, new_status)
    if new_status in ("resolved", "completed") and incident.is_open:
        return _finish(session, incident, body=body, at=when, author=author, publishers=publishers, now=now)
    if incident.kind == "maintenance" and new_status == "in_progress" and incident.status == "scheduled":
        return start_maintenance(session, incident_id=incident_id, body=body, at=when, author=author,
                                 publishers=publishers, now=now)
    incident.status = new_status
    moves = _apply_changes(session, incident, changes)
    return _write_update(session, incident, status=new_status, body=body, at=when, author=author,
                         event=event, moves=moves, publishers=publishers, now=now)


def resolve(session: Session, *, incident_id: int, body: str = "", at: datetime | None = None,
            author: str | None = None, publishers: Sequence[str] = (), now: datetime | None = None) -> Update:
    """Resolve an incident; its components return to operational."""
    now = now or utcnow()
    incident = get_incident(session, incident_id, lock=True)
    if incident.kind != "incident":
        raise InvalidTransition(f"#{incident.id} is a maintenance window: use complete, not resolve")
    if not incident.is_open:
        raise InvalidTransition(f"#{incident.id} is already resolved")
    when = _after_start(incident, _not_future(at, now) or now)
    return _finish(session, incident, body=body, at=when, author=author, publishers=publishers, now=now)


def reopen(session: Session, *, incident_id: int, status: str | None = None, body: str = "",
           author: str | None = None, publishers: Sequence[str] = (), now: datetime | None = None) -> Update:
    """Reopen a resolved incident: back to `status` (investigating), components back to their outage."""
    now = now or utcnow()
    incident = get_incident(session, incident_id, lock=True)
    if incident.kind != "incident":
        raise InvalidTransition(f"#{incident.id} is a maintenance window, and windows are not reopened: "
                                "schedule a new one")
    if incident.is_open:
        raise InvalidTransition(f"#{incident.id} is {incident.status}, not resolved: post an update instead")
    status = status or "investigating"
    _check_status("incident", status)
    if status == "resolved":
        raise InvalidTransition(f"#{incident.id} is already resolved: reopen it as investigating, identified "
                                "or monitoring")
    incident.status, incident.resolved_at = status, None
    moves = _apply_changes(session, incident, _before_resolution(session, incident))
    return _write_update(session, incident, status=status, body=body, at=now, author=author, event="reopen",
                         moves=moves, publishers=publishers, now=now)


def _before_resolution(session: Session, incident: Incident) -> list[tuple[str, str | None]]:
    """Each affected component with the status it had in `incident` before its last resolution."""
    resolution = session.scalar(select(Update).where(Update.incident_id == incident.id, Update.event == "resolve")
                                .order_by(Update.number.desc()).limit(1))
    before = {m["name"]: m["old_status"] for m in (resolution.component_changes if resolution else [])}
    default = comp.IMPACT_DEFAULT_STATUS.get(incident.impact, "degraded_performance")
    return [(a.component.name, before.get(a.component.name, default)) for a in incident.affected]


def schedule_maintenance(session: Session, *, title: str, starts: datetime, ends: datetime,
                         changes: Changes = (), body: str = "", auto: bool = True, author: str | None = None,
                         publishers: Sequence[str] = (), now: datetime | None = None) -> Update:
    """Schedule a maintenance window and announce it; a window whose start has passed starts now."""
    now = now or utcnow()
    if ends <= starts:
        raise DomainError("the window must end after it starts (--to is not after --from)")
    if ends <= now:
        raise DomainError("that window would already be over: its end (--to) is in the past")
    starts = max(starts, now)  # the true times: nothing was announced before now
    incident = Incident(kind="maintenance", title=title, impact="maintenance", status="scheduled",
                        scheduled_for=starts, scheduled_until=ends, auto_transitions=auto, created_at=now)
    session.add(incident)
    session.flush()
    planned = [(name, "under_maintenance") for name, _ in changes]
    _apply_changes(session, incident, planned, live=False)
    return _write_update(session, incident, status="scheduled", body=body, at=now, author=author,
                         event="schedule", moves=[], publishers=publishers, now=now)


def start_maintenance(session: Session, *, incident_id: int, body: str = "", at: datetime | None = None,
                      author: str | None = None, publishers: Sequence[str] = (),
                      now: datetime | None = None) -> Update:
    """Move a scheduled window to in progress; its components go under maintenance."""
    now = now or utcnow()
    incident = _maintenance(session, incident_id)
    if incident.status != "scheduled":
        raise InvalidTransition(f"#{incident.id} is {incident.status}, not scheduled: it cannot start")
    when = _not_future(at, now) or now
    incident.status, incident.started_at = "in_progress", when
    planned = [(a.component.name, "under_maintenance") for a in incident.affected]
    moves = _apply_changes(session, incident, planned, was_live=False)  # from what the page showed
    return _write_update(session, incident, status="in_progress", body=body, at=when, author=author,
                         event="start", moves=moves, publishers=publishers, now=now)


def complete_maintenance(session: Session, *, incident_id: int, body: str = "", at: datetime | None = None,
                         author: str | None = None, publishers: Sequence[str] = (),
                         now: datetime | None = None) -> Update:
    """Complete a window (started or not); its components return to operational."""
    now = now or utcnow()
    incident = _maintenance(session, incident_id)
    if not incident.is_open:
        raise InvalidTransition(f"#{incident.id} is already completed")
    when = _not_future(at, now) or now
    if incident.started_at is None:
        incident.started_at = incident.scheduled_for
    return _finish(session, incident, body=body, at=when, author=author, publishers=publishers, now=now)


def extend_maintenance(session: Session, *, incident_id: int, ends: datetime, body: str = "",
                       author: str | None = None, publishers: Sequence[str] = (),
                       now: datetime | None = None) -> Update:
    """Move the end of an open window and say so publicly."""
    now = now or utcnow()
    incident = _maintenance(session, incident_id)
    if not incident.is_open:
        raise InvalidTransition(f"#{incident.id} is completed: it cannot be extended")
    if incident.scheduled_for and ends <= incident.scheduled_for:
        raise DomainError("the new end is not after the window's start")
    if ends <= now:
        raise DomainError("the new end (--to) is already in the past")
    incident.scheduled_until = ends
    return _write_update(session, incident, status=incident.status, body=body, at=now, author=author,
                         event="extend", moves=[], publishers=publishers, now=now)


def edit_update(session: Session, *, incident_id: int, number: int | None = None, body: str,
                author: str | None = None, publishers: Sequence[str] = (),
                now: datetime | None = None) -> Update:
    """Correct an update's text, keeping the old text, and queue the correction everywhere it went."""
    now = now or utcnow()
    incident = get_incident(session, incident_id, lock=True)
    if not incident.updates:
        raise NotFound(f"#{incident.id} has no updates to edit")
    update = incident.updates[-1] if number is None else _update_number(incident, number)
    if body == update.body:
        raise DomainError(f"update {update.number} of #{incident.id} already has that text")
    session.add(UpdateRevision(update=update, revision=update.revision, body=update.body,
                               author=update.author, replaced_at=now))
    update.body, update.revision, update.edited_at = body, update.revision + 1, now
    _queue(session, update, publishers, now)
    return update


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    """The incident numbered `incident_id`, or NotFound."""
    # A write locks the row (PostgreSQL) so two commands on one incident take turns, not numbers.
    incident = session.get(Incident, incident_id, with_for_update=lock or None)
    if incident is None:
        raise NotFound(f"there is no incident #{incident_id}")
    return incident


def list_incidents(session: Session, *, which: str = "open", limit: int = 50) -> list[Incident]:
    """Open, upcoming (scheduled maintenance) or all incidents, newest first."""
    query = select(Incident).order_by(Incident.id.desc()).limit(limit).options(  # views read all three
        selectinload(Incident.affected), selectinload(Incident.updates), selectinload(Incident.threads))
    if which == "open":
        query = query.where(Incident.status.not_in(("resolved", "completed", "scheduled")))
    elif which == "upcoming":
        query = query.where(Incident.status == "scheduled")
    elif which != "all":
        raise DomainError(f'cannot list "{which}": use open, upcoming or all')
    return list(session.scalars(query))


def list_components(session: Session) -> list[Component]:
    """Every component in page order."""
    return list(session.scalars(select(Component).order_by(Component.position, Component.name)))


def _write_update(session: Session, incident: Incident, *, status: str, body: str, at: datetime,
                  author: str | None, event: str, moves: list[dict[str, str]],
                  publishers: Sequence[str], now: datetime) -> Update:
    # Numbered by a query, and not appended to incident.updates: the cost of an update must not
    # grow with the incident's history (the row lock taken by get_incident keeps numbers unique).
    last = session.scalar(select(func.max(Update.number)).where(Update.incident_id == incident.id))
    update = Update(incident_id=incident.id, number=(last or 0) + 1, status=status, body=body,
                    author=author, display_at=at, created_at=now, event=event, component_changes=moves)
    session.add(update)
    if "updates" in incident.__dict__:  # keep an already-loaded collection truthful
        session.expire(incident, ["updates"])
    incident.updated_at = now
    session.flush()
    if moves:  # only a change of some component's status can change the page's components
        _refresh_component_statuses(session)
    _queue(session, update, publishers, now)
    return update


def _queue(session: Session, update: Update, publishers: Sequence[str], now: datetime) -> None:
    for name in dict.fromkeys(publishers):
        session.add(Delivery(update=update, incident_id=update.incident_id, publisher=name,
                             revision=update.revision, state="pending", next_attempt_at=now, created_at=now))
    session.flush()


def _finish(session: Session, incident: Incident, *, body: str, at: datetime, author: str | None,
            publishers: Sequence[str], now: datetime) -> Update:
    final = "resolved" if incident.kind == "incident" else "completed"
    incident.status, incident.resolved_at = final, at
    moves = _apply_changes(session, incident, [(a.component.name, "operational") for a in incident.affected])
    event = "resolve" if final == "resolved" else "complete"
    return _write_update(session, incident, status=final, body=body, at=at, author=author, event=event,
                         moves=moves, publishers=publishers, now=now)


def _apply_changes(session: Session, incident: Incident, changes: Changes, live: bool = True,
                   was_live: bool = True) -> list[dict[str, str]]:
    """Give each named component its status in `incident`; the moves (old → new) when `live`.

    `was_live=False`: the links held planned statuses (a scheduled window), which the page never showed,
    so each move starts from operational."""
    known = {c.name: c for c in session.scalars(select(Component))}
    current = {a.component.name: a for a in incident.affected}
    moves = []
    for name, wanted in changes:
        if name not in known:
            raise NotFound(f'unknown component "{name}"{suggest(name, sorted(known))} '
                           f'(known: {", ".join(sorted(known)) or "none"})')
        status = wanted or (current[name].status if name in current else
                            comp.IMPACT_DEFAULT_STATUS.get(incident.impact, "degraded_performance"))
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


def _refresh_component_statuses(session: Session) -> None:
    """Each component's status is the worst over the open incidents and running windows affecting it."""
    worst: dict[int, list[str]] = {}
    live = select(AffectedComponent).join(Incident).where(
        Incident.status.not_in(("resolved", "completed", "scheduled")))
    for link in session.scalars(live):
        worst.setdefault(link.component_id, []).append(link.status)
    for component in session.scalars(select(Component)):
        component.status = comp.worst(worst.get(component.id, []))


def _check_status(kind: str, status: str) -> None:
    allowed = INCIDENT_STATUSES if kind == "incident" else MAINTENANCE_STATUSES
    if status not in allowed:
        raise InvalidTransition(f'"{status}" is not a status of a {kind}: use one of {", ".join(allowed)}')


def _impact(impact: str | None) -> str:
    impact = impact or "minor"
    if impact not in IMPACTS:
        raise DomainError(f'unknown impact "{impact}": use one of {", ".join(IMPACTS)}')
    return impact


def _not_future(at: datetime | None, now: datetime) -> datetime | None:
    if at is not None and at > now + FUTURE_SLACK:
        raise DomainError("that time is in the future: --at can only backdate")
    return at


def _after_start(incident: Incident, at: datetime) -> datetime:
    # A window not yet started takes notices (a reminder, a change of plan) before its start.
    start = incident.started_at or (incident.scheduled_for if incident.status != "scheduled" else None)
    if start is not None and at < start:
        raise DomainError(f"that time is before #{incident.id} started")
    return at


def _maintenance(session: Session, incident_id: int) -> Incident:
    incident = get_incident(session, incident_id, lock=True)
    if incident.kind != "maintenance":
        raise InvalidTransition(f"#{incident.id} is an incident, not a maintenance window")
    return incident


def _update_number(incident: Incident, number: int) -> Update:
    for update in incident.updates:
        if update.number == number:
            return update
    raise NotFound(f"#{incident.id} has no update {number} (it has {len(incident.updates)})")

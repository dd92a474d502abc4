"""Incidents: declare, update, resolve, reopen and correct them, as keyword-only functions on a Session.

Nothing here knows Slack. Each function runs inside the caller's transaction (bot.domain.writes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import vocabulary as v
from bot.domain import writes as w
from bot.domain.maintenance import start_maintenance
from bot.domain.models import Incident, Update, UpdateRevision, utcnow
from bot.domain.queries import get_incident
from bot.errors import DomainError, InvalidTransition, NotFound


def declare(session: Session, *, title: str, changes: w.Changes = (), impact: str | None = None,
            status: str | None = None, body: str = "", at: datetime | None = None,
            author: str | None = None, publishers: Sequence[str] = (), now: datetime | None = None) -> Update:
    """Declare an incident and write its first update."""
    now = now or utcnow()
    started = w.not_future(at, now) or now
    status = status or "investigating"
    w.check_status("incident", status)
    if status == "resolved":
        raise InvalidTransition("a new incident cannot start resolved; declare it, then resolve it")
    chosen = impact or v.impact_of(status for _, status in changes)  # as Statuspage: -c app:major_outage is critical
    incident = Incident(kind="incident", title=title, impact=w.impact(chosen), status=status,
                        started_at=started, created_at=now)
    session.add(incident)
    session.flush()
    moves = w.apply_changes(session, incident, changes)
    return w.write_update(session, incident, status=status, body=body, at=started, author=author,
                         event="declare", moves=moves, publishers=publishers, now=now)


def post_update(session: Session, *, incident_id: int, status: str | None = None, changes: w.Changes = (),
                body: str = "", at: datetime | None = None, author: str | None = None,
                publishers: Sequence[str] = (), now: datetime | None = None) -> Update:
    """Post an update; after resolution it is a postscript that cannot change the status."""
    now = now or utcnow()
    incident = get_incident(session, incident_id, lock=True)
    when = w.after_start(incident, w.not_future(at, now) or now)
    event = "update"
    if not incident.is_open:
        if status not in (None, incident.status) or changes:
            raise InvalidTransition(f"#{incident.id} is {incident.status}: a later update is a postscript "
                                    "and cannot change its status or components")
        event = "postscript"
    new_status = status or incident.status
    w.check_status(incident.kind, new_status)
    if v.is_finished(new_status) and incident.is_open:
        return w.finish(session, incident, body=body, at=when, author=author, publishers=publishers, now=now)
    if incident.kind == "maintenance" and new_status == "in_progress" and incident.status == "scheduled":
        return start_maintenance(session, incident_id=incident_id, body=body, at=when, author=author,
                                 publishers=publishers, now=now)
    incident.status = new_status
    worse = v.impact_of(status for _, status in changes) if incident.kind == "incident" else None
    if worse and v.IMPACTS.index(worse) > v.IMPACTS.index(incident.impact):
        incident.impact = worse  # an outage that spreads raises the impact; lowering it is a person's choice
    moves = w.apply_changes(session, incident, changes)
    return w.write_update(session, incident, status=new_status, body=body, at=when, author=author,
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
    when = w.after_start(incident, w.not_future(at, now) or now)
    return w.finish(session, incident, body=body, at=when, author=author, publishers=publishers, now=now)


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
    w.check_status("incident", status)
    if status == "resolved":
        raise InvalidTransition(f"#{incident.id} is already resolved: reopen it as investigating, identified "
                                "or monitoring")
    incident.status, incident.resolved_at = status, None
    moves = w.apply_changes(session, incident, _before_resolution(session, incident))
    return w.write_update(session, incident, status=status, body=body, at=now, author=author, event="reopen",
                         moves=moves, publishers=publishers, now=now)


def _before_resolution(session: Session, incident: Incident) -> list[tuple[str, str | None]]:
    """Each affected component with the status it had in `incident` before its last resolution."""
    resolution = session.scalar(select(Update).where(Update.incident_id == incident.id, Update.event == "resolve")
                                .order_by(Update.number.desc()).limit(1))
    before = {m["name"]: m["old_status"] for m in (resolution.component_changes if resolution else [])}
    default = v.IMPACT_DEFAULT_STATUS.get(incident.impact, "degraded_performance")
    return [(a.component.name, before.get(a.component.name, default)) for a in incident.affected]


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
    incident.updated_at = now  # a correction is a change: feeds and pages list the incident as changed
    w.queue(session, update, publishers, now)
    return update


def _update_number(incident: Incident, number: int) -> Update:
    """The update numbered `number` of `incident`, or NotFound."""
    for update in incident.updates:
        if update.number == number:
            return update
    raise NotFound(f"#{incident.id} has no update {number} (it has {len(incident.updates)})")

"""Maintenance windows: schedule, start, complete and extend them, as keyword-only functions on a Session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain import writes as w
from bot.domain.models import Incident, Update, utcnow
from bot.errors import DomainError, InvalidTransition


def schedule_maintenance(session: Session, *, title: str, starts: datetime, ends: datetime,
                         changes: w.Changes = (), body: str = "", auto: bool = True, author: str | None = None,
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
    w.apply_changes(session, incident, planned, live=False)
    return w.write_update(session, incident, status="scheduled", body=body, at=now, author=author,
                         event="schedule", moves=[], publishers=publishers, now=now)


def start_maintenance(session: Session, *, incident_id: int, body: str = "", at: datetime | None = None,
                      author: str | None = None, publishers: Sequence[str] = (),
                      now: datetime | None = None) -> Update:
    """Move a scheduled window to in progress; its components go under maintenance."""
    now = now or utcnow()
    incident = w.maintenance(session, incident_id)
    if incident.status != "scheduled":
        raise InvalidTransition(f"#{incident.id} is {incident.status}, not scheduled: it cannot start")
    when = w.not_future(at, now) or now
    incident.status, incident.started_at = "in_progress", when
    planned = [(a.component.name, "under_maintenance") for a in incident.affected]
    moves = w.apply_changes(session, incident, planned, was_live=False)  # from what the page showed
    return w.write_update(session, incident, status="in_progress", body=body, at=when, author=author,
                         event="start", moves=moves, publishers=publishers, now=now)


def complete_maintenance(session: Session, *, incident_id: int, body: str = "", at: datetime | None = None,
                         author: str | None = None, publishers: Sequence[str] = (),
                         now: datetime | None = None) -> Update:
    """Complete a window (started or not); its components return to operational."""
    now = now or utcnow()
    incident = w.maintenance(session, incident_id)
    if not incident.is_open:
        raise InvalidTransition(f"#{incident.id} is already completed")
    when = w.not_future(at, now) or now
    if incident.started_at is None:
        incident.started_at = incident.scheduled_for
    return w.finish(session, incident, body=body, at=when, author=author, publishers=publishers, now=now)


def extend_maintenance(session: Session, *, incident_id: int, ends: datetime, body: str = "",
                       author: str | None = None, publishers: Sequence[str] = (),
                       now: datetime | None = None) -> Update:
    """Move the end of an open window and say so publicly."""
    now = now or utcnow()
    incident = w.maintenance(session, incident_id)
    if not incident.is_open:
        raise InvalidTransition(f"#{incident.id} is completed: it cannot be extended")
    if incident.scheduled_for and ends <= incident.scheduled_for:
        raise DomainError("the new end is not after the window's start")
    if ends <= now:
        raise DomainError("the new end (--to) is already in the past")
    incident.scheduled_until = ends
    return w.write_update(session, incident, status=incident.status, body=body, at=now, author=author,
                         event="extend", moves=[], publishers=publishers, now=now)

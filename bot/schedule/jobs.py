"""Time-driven work as Job rows, kept in step with each incident inside the command's transaction.

`after_update` runs after every published update (declare, update, schedule, start, complete,
extend, resolve): a maintenance window gets its reminder, start and complete jobs (start and complete
only when it runs itself, not with `--no-auto`), an open incident its next update-cadence reminder.
A job that no longer fits (a window started by hand, an end moved by extend, an incident resolved)
is cancelled, never deleted, so the table is also the record of what fired. bot.schedule.scheduler runs them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.domain.models import Incident, Job, Update
from bot.subscribers import fanout

SNOOZE = timedelta(minutes=30)


def after_update(session: Session, update: Update, *, config: Config, now: datetime) -> None:
    """Plan, move or cancel the jobs of `update`'s incident to match its new state; queue its subscribers' fan-out
    (when there are any)."""
    fanout.plan(session, update)
    incident = update.incident
    if incident.kind == "maintenance":
        plan_window(session, incident, config=config)
    elif incident.is_open:
        minutes = config.cadence_for(incident.impact)
        set_job(session, incident, "cadence", now + timedelta(minutes=minutes) if minutes else None)
    else:
        set_job(session, incident, "cadence", None)


def plan_window(session: Session, incident: Incident, *, config: Config) -> None:
    """The reminder, start and complete jobs a maintenance window should have now."""
    for kind, due in window_plan(incident, reminder_min=config.maintenance_reminder_min).items():
        set_job(session, incident, kind, due)


def window_plan(incident: Incident, *, reminder_min: int) -> dict[str, datetime | None]:
    """When each window job is due, or None for a job the window no longer needs."""
    scheduled, auto = incident.status == "scheduled", incident.auto_transitions
    start, end = incident.scheduled_for, incident.scheduled_until
    remind = start - timedelta(minutes=reminder_min) if start and reminder_min > 0 else None
    if remind is not None and remind <= incident.created_at:
        remind = None  # announced less than the reminder period ahead: the announcement is the reminder
    return {
        "remind": remind if scheduled else None,
        "start": start if scheduled and auto else None,
        "complete": end if incident.is_open and auto else None,
    }


def set_job(session: Session, incident: Incident, kind: str, due: datetime | None) -> Job | None:
    """Make `due` the one pending `kind` job of `incident` (None: no pending one); returns it."""
    wanted = Job.state == "pending" if due is None else or_(Job.state == "pending", Job.due_at == due)
    found = list(session.scalars(select(Job).where(Job.incident_id == incident.id, Job.kind == kind, wanted)
                                 .order_by(Job.id)))  # one query: the pending ones and any already at `due`
    for old in found:
        if old.state == "pending" and old.due_at != due:
            old.state, old.note = "cancelled", _why(incident, kind, due)
    if due is None:
        session.flush()
        return None
    job = next((j for j in found if j.due_at == due), None)
    if job is None:
        job = Job(incident_id=incident.id, kind=kind, due_at=due, state="pending")
        session.add(job)
    elif job.state == "cancelled":  # e.g. an end extended away and back again
        job.state, job.note, job.claimed_until = "pending", None, None
    session.flush()
    return job


def snooze(session: Session, *, incident: Incident, now: datetime, by: timedelta = SNOOZE) -> Job | None:
    """Hold the next update-cadence reminder of an open incident until `now + by`."""
    if not incident.is_open or incident.kind != "incident":
        return set_job(session, incident, "cadence", None)
    return set_job(session, incident, "cadence", now + by)


def pending_jobs(session: Session, incident_id: int) -> list[Job]:
    """The incident's pending jobs, soonest first."""
    query = select(Job).where(Job.incident_id == incident_id, Job.state == "pending").order_by(Job.due_at)
    return list(session.scalars(query))


def _why(incident: Incident, kind: str, due: datetime | None) -> str:
    if due is not None:
        return "moved"
    if not incident.is_open:
        return f"#{incident.id} is {incident.status}"
    if kind in ("start", "complete") and not incident.auto_transitions:
        return "window is moved by hand (--no-auto)"
    return f"#{incident.id} is {incident.status}"

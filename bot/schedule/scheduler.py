"""The scheduler: the worker loop calls `run_due(core, now=…)` to run every Job that has come due.

A due job is claimed with one atomic UPDATE … RETURNING (its row picked FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite transactions begin IMMEDIATE, so claims there are serialised), which makes it safe
for several workers to call this at once. A maintenance job's effect (the window starts, completes
or is reminded about, with its update and deliveries) and the job's `done` mark commit in the one
transaction that claimed it, so a crash rolls both back and nothing fires twice. Times are the true
ones: a window whose start passed while no worker ran starts when one returns, and its update says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import Core
from bot.delivery import lease as leases
from bot.delivery import outbox
from bot.domain import service
from bot.domain.models import Incident, Job, utcnow
from bot.errors import HeraldError
from bot.schedule import cadence, jobs
from bot.store import db
from bot.text.templating import render

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)  # a claimed job whose worker died is retried after this
LATE = timedelta(minutes=2)  # a transition later than this says so in its update
BATCH = 100


def run_due(core: Core, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """Run up to `limit` jobs due at `now`; returns how many were run."""
    now = now or utcnow()
    ran = published = 0
    while ran < limit:
        result = _run_next(core, now)
        if result is None:
            break
        ran, published = ran + 1, published + result
    if published:
        outbox.notify(core)
    return ran


def claim(session: Session, now: datetime) -> Job | None:
    """Lease the next due job to this transaction, or None when nothing is due."""
    due = (select(Job.id).where(Job.state == "pending", Job.kind.in_(KINDS), Job.due_at <= now,
                                leases.unleased(Job.claimed_until, now))
           .order_by(Job.due_at, Job.id).limit(1))
    claimed = leases.lease(session, Job, due, {"claimed_until": now + LEASE})
    return session.get(Job, claimed[0]) if claimed else None


def _run_next(core: Core, now: datetime) -> int | None:
    """Run one due job: 1 if it published an update, 0 if not, None if nothing was due."""
    job_id: int | None = None
    try:
        with db.transaction(core.sessions) as session:
            job = claim(session, now)
            if job is None:
                return None
            job_id = job.id
            if job.kind != "cadence":
                return _fire(core, session, job, now)
        return _cadence(core, job_id, now)  # Slack is called outside any transaction, under the lease
    except HeraldError as exc:  # the incident moved on under us (e.g. completed by hand): nothing to do
        if job_id is None:
            raise
        _settle(core, job_id, now, state="cancelled", note=str(exc))
    except Exception as exc:  # logged; the job stays pending and is retried once its lease ends
        if job_id is None:  # claiming itself failed (the database is away): the worker logs it
            raise
        log.exception("job %s failed", job_id)
        _settle(core, job_id, now, state="pending", note=f"{type(exc).__name__}: {exc}")
    return 0


def _fire(core: Core, session: Session, job: Job, now: datetime) -> int:
    """Mark `job` done and apply its effect in the same transaction; 1 if it published."""
    job.state, job.done_at = "done", now
    incident = service.get_incident(session, job.incident_id)
    note = RUNNERS[job.kind](core, session, incident, job, now)
    job.note = note
    log.info("job %s (%s of #%s due %s): %s", job.id, job.kind, incident.id, job.due_at, note)
    return int(note in ("started", "completed", "reminded"))


def _start(core: Core, session: Session, incident: Incident, job: Job, now: datetime) -> str:
    if incident.status != "scheduled":
        return f"skipped: already {incident.status}"
    if incident.scheduled_until and now >= incident.scheduled_until:
        return "skipped: the window is already over; its complete job closes it"
    body = _text(core, "in_progress", at=now, planned=job.due_at)
    update_ = service.start_maintenance(session, incident_id=incident.id, body=body, at=now,
                                        publishers=core.publisher_names, now=now)
    jobs.after_update(session, update_, config=core.config, now=now)
    return "started"


def _complete(core: Core, session: Session, incident: Incident, job: Job, now: datetime) -> str:
    if not incident.is_open:
        return f"skipped: already {incident.status}"
    body = _text(core, "completed", at=now, planned=job.due_at)
    update_ = service.complete_maintenance(session, incident_id=incident.id, body=body, at=now,
                                           publishers=core.publisher_names, now=now)
    jobs.after_update(session, update_, config=core.config, now=now)
    return "completed"


def _remind(core: Core, session: Session, incident: Incident, job: Job, now: datetime) -> str:
    starts, ends = incident.scheduled_for, incident.scheduled_until
    if incident.status != "scheduled" or starts is None or now >= starts:
        return f"skipped: #{incident.id} is {incident.status}"
    body = render(core.templates, "messages/reminder.j2", now=now, starts=starts, ends=ends)
    update_ = service.post_update(session, incident_id=incident.id, body=body, at=now,
                                  publishers=core.publisher_names, now=now)
    jobs.after_update(session, update_, config=core.config, now=now)
    return "reminded"


RUNNERS: dict[str, Callable[[Core, Session, Incident, Job, datetime], str]] = {
    "start": _start, "complete": _complete, "remind": _remind,
}
KINDS = (*RUNNERS, "cadence")  # the jobs this scheduler runs (others, e.g. the subscribers' `notify`, run elsewhere)


def _text(core: Core, status: str, *, at: datetime, planned: datetime) -> str:
    """The status's message, told the true time and whether it is late."""
    return render(core.templates, f"messages/{status}.j2", at=at, planned=planned, late=at - planned > LATE)


def _cadence(core: Core, job_id: int, now: datetime) -> int:
    """Remind the incident's Slack thread that customers are waiting; schedule the next reminder."""
    with db.transaction(core.sessions) as session:
        job = session.get(Job, job_id)
        assert job is not None
        reminder = cadence.reminder_for(session, service.get_incident(session, job.incident_id), core.config)
    note = "skipped: incident is closed" if reminder is None else cadence.send(core, reminder, now=now)
    with db.transaction(core.sessions) as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.state, job.done_at, job.note = "done", now, note
        incident = service.get_incident(session, job.incident_id)
        minutes = core.config.cadence_for(incident.impact)
        if note in ("sent", "refused") and incident.is_open and minutes:
            jobs.set_job(session, incident, "cadence", now + timedelta(minutes=minutes))
    return 0


def _settle(core: Core, job_id: int, now: datetime, *, state: str, note: str) -> None:
    """Record why a job did not run; a pending one keeps its lease, so it waits before retrying."""
    with db.transaction(core.sessions) as session:
        job = session.get(Job, job_id)
        if job is not None and job.state == "pending":
            job.state, job.note = state, note[:500]
            job.done_at = now if state != "pending" else None
            job.claimed_until = now + LEASE

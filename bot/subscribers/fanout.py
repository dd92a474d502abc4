"""The fan-out: an update's transaction queues one `notify` job; the worker turns it into notification rows.

The ack path stays a few statements: `plan` writes one Job (kind `notify`, due at the update's creation
instant, which names the updates it fans out). A notifier lane (bot.subscribers.lanes) claims the job with
the lease every job and delivery uses (`run_due`), and in the transaction that marks it done, one
INSERT … SELECT per update writes a row for every active
subscriber whose components the update touches, or who was already told about the incident (so
everyone told of an incident hears of its resolution). ON CONFLICT DO NOTHING on (update, subscriber) and
"confirmed before the update" make a second run a no-op, never a second notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Exists, event, exists, literal, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from bot.delivery import lease as leases
from bot.domain.models import AffectedComponent, Component, Job, Update, UTCDateTime
from bot.store import db
from bot.subscribers import wake
from bot.subscribers.models import Notification, Subscriber, SubscriberComponent

if TYPE_CHECKING:
    from bot.core import Core

KIND = "notify"
ACTIVE = (Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None), Subscriber.disabled_at.is_(None))
LEASE = timedelta(minutes=5)  # a fan-out whose worker died is run again after this (a no-op for rows it wrote)


def plan(session: Session, update: Update) -> Job | None:
    """Queue the fan-out of `update` (inside the update's own transaction); nothing while no one subscribes."""
    if not session.scalar(select(exists().where(*ACTIVE))):
        return None
    job = session.scalars(select(Job).where(Job.incident_id == update.incident_id, Job.kind == KIND,
                                            Job.due_at == update.created_at)).first()
    if job is None:
        job = Job(incident_id=update.incident_id, kind=KIND, due_at=update.created_at, state="pending")
        session.add(job)
    elif job.state != "pending":  # a second update at the same instant: run again (a no-op for the first)
        job.state, job.claimed_until, job.done_at = "pending", None, None
    session.flush()
    return job


def run_due(core: Core, *, now: datetime, limit: int = 20) -> int:
    """Run up to `limit` due `notify` jobs, each in its own transaction with its done mark; how many ran."""
    ran = 0
    while ran < limit:
        with db.transaction(core.sessions) as session:
            due = (select(Job.id).where(Job.kind == KIND, Job.state == "pending", Job.due_at <= now,
                                        leases.unleased(Job.claimed_until, now)).order_by(Job.due_at).limit(1))
            taken = leases.lease(session, Job, due, {"claimed_until": now + LEASE})
            if not taken:
                return ran
            job = session.get(Job, taken[0])
            assert job is not None
            job.state, job.done_at, job.note = "done", now, f"queued {run(session, job, now)} notifications"
        ran += 1
    return ran


def run(session: Session, job: Job, now: datetime) -> int:
    """The `notify` job: notification rows for every update of its incident created at the job's instant."""
    updates = session.scalars(select(Update).where(Update.incident_id == job.incident_id,
                                                   Update.created_at == job.due_at))
    queued = sum(fan_out(session, update, now=now) for update in updates)
    event.listen(session, "after_commit", lambda _s: wake.wake_all(), once=True)
    return queued


def fan_out(session: Session, update: Update, *, now: datetime) -> int:
    """Insert the notification rows of `update` in one statement; how many were new."""
    columns = ["kind", "update_id", "incident_id", "subscriber_id", "channel", "state", "attempts",
               "next_attempt_at", "sandbox", "created_at"]
    at = literal(now, UTCDateTime())
    chosen = select(Subscriber.id.label("s_id"), Subscriber.channel.label("s_ch")).where(
        *ACTIVE, Subscriber.confirmed_at <= update.created_at,
        or_(Subscriber.all_components.is_(True), _chose(update), _told(update.incident_id))).subquery()
    rows = select(literal("update"), literal(update.id), literal(update.incident_id), chosen.c.s_id, chosen.c.s_ch,
                  literal("pending"), literal(0), at, literal(False), at).select_from(chosen).where(true())
    # `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join (sqlite.org/lang_upsert.html)
    statement = _insert(session).from_select(columns, rows).on_conflict_do_nothing()
    result = session.execute(statement)
    return max(int(result.rowcount or 0), 0)  # type: ignore[attr-defined]


def _chose(update: Update) -> Exists:
    """True for a subscriber who chose a component `update` touches: one of its incident's, or one it moved."""
    affected = select(AffectedComponent.component_id).where(AffectedComponent.incident_id == update.incident_id)
    moved = select(Component.id).where(Component.name.in_([m["name"] for m in update.component_changes or ()]))
    return exists().where(SubscriberComponent.subscriber_id == Subscriber.id,
                          or_(SubscriberComponent.component_id.in_(affected),
                              SubscriberComponent.component_id.in_(moved)))


def _told(incident_id: int) -> Exists:
    """True for a subscriber already told about the incident."""
    earlier = aliased(Notification)
    return exists().where(earlier.subscriber_id == Subscriber.id, earlier.incident_id == incident_id,
                          earlier.kind == "update")


def _insert(session: Session) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Notification)

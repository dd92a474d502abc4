"""One claimed delivery, start to finish: read, publish outside any transaction, record the outcome.

Each database step is a short transaction of its own, so no lock or connection is held while a
channel answers slowly. The receipt and the thread ids are committed together before the delivery
counts as sent; the next delivery of that incident and channel is claimable only after that commit
(see bot.delivery.claim), so a reply always finds its parent's id.

Outcomes: `sent`; `retry` (state stays `pending` with `last_error` and a later `next_attempt_at`:
"retrying at …"); `dead` (retryable failures reached HERALD_MAX_ATTEMPTS); `failed` (the channel
refused for good, e.g. bad credentials: a person must look and re-queue); `gone` (the claim was lost
or the row changed meanwhile; nothing recorded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.core import Core
from bot.delivery import backoff
from bot.delivery import lease as leases
from bot.domain.models import Delivery, Incident, Thread, Update
from bot.domain.snapshots import Event, ThreadView, incident_view
from bot.lograte import Throttle
from bot.plugins.contract import PublishError, Receipt
from bot.store import db

log = logging.getLogger(__name__)
FAILURE_LINES = Throttle(burst=10, period=60.0)  # per channel: a flapping channel cannot flood the log


@dataclass(frozen=True)
class Work:
    """What one attempt needs, read in one short transaction."""

    delivery_id: int
    incident_id: int
    publisher: str
    attempts: int
    event: Event
    thread: ThreadView | None
    covers: int = 0  # for a publisher that `covers_later`: the newest delivery id of this lane `event` shows


def load(core: Core, *, delivery_id: int, worker: str) -> Work | None:
    """The claimed delivery as views, or None if this worker no longer holds it."""
    with core.reading() as session:  # a snapshot read: building the views must not hold up commands
        row = session.get(Delivery, delivery_id)
        if row is None or row.state != "pending" or row.claimed_by != worker:
            return None
        incident = session.scalars(select(Incident).where(Incident.id == row.incident_id).options(
            selectinload(Incident.updates).selectinload(Update.revisions),
            selectinload(Incident.affected), selectinload(Incident.threads))).one()
        view = incident_view(incident, core.config.public_url)
        event = Event(view, view.update(row.update.number), row.revision)
        return Work(row.id, row.incident_id, row.publisher, row.attempts, event,
                    view.threads.get(row.publisher), _newest(core, session, row))


def _newest(core: Core, session: Session, row: Delivery) -> int:
    """For a publisher that covers later deliveries: the newest delivery of this incident and channel in this
    read (an update and its deliveries commit together, and one incident's commits take turns, so every
    delivery up to it has its update in the view); 0 for any other publisher."""
    publisher = core.registry.get(row.publisher)
    if publisher is None or not publisher.covers_later:
        return 0
    return int(session.scalar(select(func.max(Delivery.id)).where(
        Delivery.incident_id == row.incident_id, Delivery.publisher == row.publisher)) or 0)


def attempt(core: Core, work: Work) -> Receipt | PublishError:
    """Render and publish (no transaction open); a plugin's unexpected error counts as retryable."""
    publisher = core.registry.get(work.publisher)
    if publisher is None:
        return PublishError(f"publisher {work.publisher} is not enabled in this worker", retryable=True)
    try:
        return publisher.publish(work.event, publisher.render(work.event), work.thread)
    except PublishError as exc:
        return exc
    except Exception as exc:  # a plugin bug must not stop the worker; it is logged and retried
        log.exception("publisher %s raised on delivery %s", work.publisher, work.delivery_id)
        return PublishError(f"{type(exc).__name__}: {exc}", retryable=True, unknown=True)


def record(core: Core, work: Work, result: Receipt | PublishError, *, worker: str, now: datetime) -> str:
    """Store the receipt or schedule the next attempt, in one short transaction; the outcome's name."""
    with db.transaction(core.sessions) as session:
        row = session.get(Delivery, work.delivery_id, with_for_update=True)
        if row is None or row.state != "pending":
            return "gone"
        if isinstance(result, Receipt):
            _record_sent(session, row, result, now)
            _record_covered(session, row, work.covers, now)
            return "sent"
        if row.claimed_by != worker:
            return "gone"  # our lease ran out and another worker owns the retry now
        return _record_failure(core, row, result, now)


def _record_sent(session: Session, row: Delivery, receipt: Receipt, now: datetime) -> None:
    row.state, row.sent_at, row.sandbox = "sent", now, receipt.sandbox
    row.external_id, row.url, row.last_error = receipt.external_id, receipt.url, None
    row.claimed_until = None  # claimed_by stays: which worker sent it
    thread = session.scalar(
        select(Thread).where(Thread.incident_id == row.incident_id, Thread.publisher == row.publisher)
    )
    if thread is None:
        thread = Thread(incident_id=row.incident_id, publisher=row.publisher, data={})
        session.add(thread)
    # first_id is set once; last_id advances (a publisher that edits in place returns thread_last_id).
    thread.first_id = thread.first_id or receipt.thread_first_id or receipt.external_id
    thread.last_id = receipt.thread_last_id or receipt.external_id or thread.last_id
    thread.url = receipt.thread_url or thread.url or receipt.url
    if receipt.thread_data:
        thread.data = {**(thread.data or {}), **receipt.thread_data}


def _record_covered(session: Session, row: Delivery, covers: int, now: datetime) -> int:
    """Record as sent with `row` the later pending deliveries of its lane that its publish already showed (up
    to delivery `covers`), unless another worker holds one; how many."""
    if covers <= row.id:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.incident_id == row.incident_id, Delivery.publisher == row.publisher,
               Delivery.id > row.id, Delivery.id <= covers, Delivery.state == "pending",
               leases.unleased(Delivery.claimed_until, now))
        .values(state="sent", sent_at=now, sandbox=row.sandbox, external_id=row.external_id, url=row.url,
                last_error=None, claimed_by=row.claimed_by, claimed_until=None, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _record_failure(core: Core, row: Delivery, error: PublishError, now: datetime) -> str:
    config = core.config
    row.last_error, row.claimed_by, row.claimed_until = error.message[:2000], None, None
    if not error.retryable:
        row.state = "failed"
    elif row.attempts >= config.max_attempts:
        row.state = "dead"
    else:
        # After a timeout, not sooner than one request timeout: the post may still land, and the channel's
        # own duplicate check (Discourse topic scan, X duplicate content) must be able to see it. A refusal
        # (a status came back) has nothing in flight, so the normal backoff alone applies.
        row.next_attempt_at = backoff.next_attempt(now=now, attempt=row.attempts, base=config.retry_base,
                                                   cap=config.retry_cap, retry_after=error.retry_after,
                                                   floor=config.publish_timeout if error.unknown else 0.0)
    _log_failure(row, error, config.max_attempts)
    return row.state if row.state != "pending" else "retry"


def _log_failure(row: Delivery, error: PublishError, max_attempts: int) -> None:
    """One warning per failed attempt, at most FAILURE_LINES.burst a minute per channel."""
    dropped = FAILURE_LINES.allow(row.publisher)
    if dropped is None:
        return
    if row.state == "pending":
        outcome = f"retrying at {row.next_attempt_at.isoformat(timespec='seconds')}"
    elif row.state == "dead":
        outcome = "dead: gave up"
    else:
        outcome = "failed: refused, not retried until someone re-queues it"
    more = f" ({dropped} more failure lines of {row.publisher} were left out)" if dropped else ""
    log.warning("delivery %s (incident #%s) to %s, attempt %s of %s: %s; %s%s", row.id, row.incident_id,
                row.publisher, row.attempts, max_attempts, error.message[:300], outcome, more)

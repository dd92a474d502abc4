"""The worker side of the subscribers' outbox: claim notifications of one channel, record how they went.

Claims are leases (bot.delivery.lease), exactly as for deliveries: a worker killed mid-batch holds its
rows only until the lease runs out. Every claim counts as an attempt. A sent notice is recorded only
while this worker still holds it. A failure is retried with backoff (bot.delivery.backoff) until
HERALD_MAX_ATTEMPTS; then the notice is `dead` and its subscriber disabled (the receipts in Slack say so),
as at once when the address is gone for good (SMTP 550 user unknown, HTTP 410 Gone).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from bot.config import Config
from bot.delivery import backoff
from bot.delivery import lease as leases
from bot.plugins.contract import NoticeResult
from bot.subscribers.models import Notification, Subscriber


def claim(session: Session, *, channel: str, worker: str, now: datetime, lease: float, limit: int) -> list[int]:
    """Lease up to `limit` due notifications of `channel` to `worker`; their ids."""
    due = (select(Notification.id)
           .where(Notification.channel == channel, Notification.state == "pending",
                  Notification.next_attempt_at <= now, leases.unleased(Notification.claimed_until, now))
           .order_by(Notification.next_attempt_at, Notification.id).limit(limit))
    return leases.lease(session, Notification, due, {"claimed_by": worker, "attempts": Notification.attempts + 1,
                                                     "claimed_until": now + timedelta(seconds=lease)})


def record(session: Session, results: Sequence[NoticeResult], *, worker: str, now: datetime,
           config: Config) -> list[int]:
    """Store each outcome of notices this worker still holds; the incidents whose counts changed."""
    sent = [r for r in results if r.error is None]
    for sandbox in (False, True):
        ids = [r.notice_id for r in sent if r.sandbox is sandbox]
        if ids:
            session.execute(update(Notification).where(*_held(ids, worker)).values(
                state="sent", sent_at=now, claimed_until=None, last_error=None, sandbox=sandbox)
                .execution_options(synchronize_session=False))
    untried = [r.notice_id for r in results if r.error is not None and r.untried]
    if untried:
        release(session, ids=untried, worker=worker)
    for result in results:
        if result.error is not None and not result.untried:
            _failed(session, result, worker=worker, now=now, config=config)
    ids = [r.notice_id for r in results]
    return sorted({i for i in session.scalars(select(Notification.incident_id).where(Notification.id.in_(ids)))
                   if i is not None})


def _held(ids: Iterable[int], worker: str) -> tuple[ColumnElement[bool], ...]:
    return (Notification.id.in_(list(ids)), Notification.claimed_by == worker, Notification.state == "pending")


def _failed(session: Session, result: NoticeResult, *, worker: str, now: datetime, config: Config) -> None:
    row = session.get(Notification, result.notice_id, with_for_update=True)
    if row is None or row.state != "pending" or row.claimed_by != worker or result.error is None:
        return
    error = result.error
    row.last_error, row.claimed_by, row.claimed_until = error.message[:2000], None, None
    if result.gone or not error.retryable:
        row.state = "failed"
    elif row.attempts >= config.max_attempts:
        row.state = "dead"
    else:
        row.next_attempt_at = backoff.next_attempt(
            now=now, attempt=row.attempts, base=config.retry_base, cap=config.retry_cap,
            retry_after=error.retry_after, floor=config.publish_timeout if error.unknown else 0.0)
    if result.gone or row.state == "dead":
        disable(session, row.subscriber_id, reason=error.message[:500], now=now)


def disable(session: Session, subscriber_id: int, *, reason: str, now: datetime) -> None:
    """Stop telling a subscriber whose endpoint is gone or failed past the limit; its queue is cancelled."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.disabled_at is not None:
        return
    subscriber.disabled_at, subscriber.disabled_reason = now, reason
    cancel(session, subscriber_id)


def cancel(session: Session, subscriber_id: int) -> int:
    """Cancel a subscriber's notifications still waiting (they left, or were disabled); how many. One in flight
    may still go out; its outcome is then not recorded (the row is no longer pending)."""
    result = session.execute(update(Notification).where(
        Notification.subscriber_id == subscriber_id, Notification.state == "pending")
        .values(state="cancelled").execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def cancel_ids(session: Session, *, ids: Iterable[int], worker: str) -> int:
    """Cancel notices this worker holds that are owed to no one any more."""
    result = session.execute(update(Notification).where(*_held(ids, worker)).values(
        state="cancelled", claimed_until=None).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release(session: Session, *, ids: Iterable[int], worker: str) -> int:
    """Give back claims this worker still holds (on shutdown): due again at once, attempt not counted."""
    result = session.execute(update(Notification).where(*_held(ids, worker)).values(
        claimed_by=None, claimed_until=None, attempts=Notification.attempts - 1)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

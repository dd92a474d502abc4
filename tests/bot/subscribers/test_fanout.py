"""The fan-out: the update's transaction writes one job; the worker's job writes the notifications, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.commands import execute
from bot.core import Core
from bot.domain.models import Job, Update, utcnow
from bot.store import db
from bot.subscribers import fanout, service
from bot.subscribers.models import Notification
from bot.text import grammar
from tests.bot.subscribers import kit


def count(core: Core, query: object) -> int:
    with core.sessions() as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def test_the_update_writes_one_job_and_the_worker_writes_the_rows(core: Core) -> None:
    """Committing an update writes no notification, only one `notify` job; running the job writes one per subscriber."""
    for n in range(5):
        kit.subscribe(core, f"s{n}@example.com")
    execute(core, grammar.parse("open Checkout down"))
    assert count(core, select(func.count(Notification.id))) == 0
    assert count(core, select(func.count(Job.id)).where(Job.kind == "notify", Job.state == "pending")) == 1
    fanout.run_due(core, now=utcnow())
    assert count(core, select(func.count(Notification.id)).where(Notification.kind == "update")) == 5
    assert count(core, select(func.count(Job.id)).where(Job.kind == "notify", Job.state == "done")) == 1


def test_a_second_fan_out_of_the_same_update_adds_nothing(core: Core) -> None:
    """Running the fan-out of an update again (a job re-run after a crash) queues no second notice."""
    kit.subscribe(core, "ann@example.com")
    execute(core, grammar.parse("open Checkout down"))
    fanout.run_due(core, now=utcnow())
    with db.transaction(core.sessions) as session:
        update = session.scalars(select(Update)).one()
        assert fanout.fan_out(session, update, now=utcnow()) == 0
    assert len(kit.rows(core)) == 1


def test_who_confirmed_after_an_update_is_not_told_of_it(core: Core) -> None:
    """A subscriber confirmed after an update was written is not told of it (a fan-out that runs late, or twice)."""
    kit.subscribe(core, "early@example.com")
    execute(core, grammar.parse("open Checkout down"))
    with db.transaction(core.sessions) as session:
        service.subscribe(session, address="late@example.com", now=utcnow() + timedelta(seconds=1), confirmed=True)
    fanout.run_due(core, now=utcnow())
    assert [r.subscriber_id for r in kit.rows(core)] == [kit.subscriber(core, "early@example.com").id]


def test_leaving_cancels_what_was_waiting(core: Core) -> None:
    """Unsubscribing cancels the notices still queued for that subscriber."""
    kit.subscribe(core, "ann@example.com")
    execute(core, grammar.parse("open Checkout down"))
    fanout.run_due(core, now=utcnow())
    token = kit.subscriber(core, "ann@example.com").unsubscribe_token
    with db.transaction(core.sessions) as session:
        service.unsubscribe(session, token=token, now=utcnow())
    assert [r.state for r in kit.rows(core)] == ["cancelled"]


def test_no_subscriber_no_job(core: Core) -> None:
    """Without an active subscriber an update writes no `notify` job at all."""
    kit.subscribe(core, "pending@example.com", confirmed=False)
    execute(core, grammar.parse("open Checkout down"))
    assert count(core, select(func.count(Job.id)).where(Job.kind == "notify")) == 0


def test_a_dry_run_queues_no_fan_out(core: Core) -> None:
    """A preview or --dry-run writes no job, so no subscriber hears of it."""
    kit.subscribe(core, "ann@example.com")
    execute(core, grammar.parse("open Checkout down --dry-run"))
    assert count(core, select(func.count(Job.id)).where(Job.kind == "notify")) == 0

"""The outbox from the command side: delivery summaries, re-queueing failed work, waking the worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.delivery import outbox
from bot.delivery.outbox import DeliverySummary
from bot.domain import service
from bot.domain.models import Delivery, Update
from bot.store import db
from tests.fakes.scripted_plugin import install

NOW = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)
CHANNELS = ["statuspage", "pager"]


@pytest.fixture
def three_updates(core: Core) -> int:
    """An incident with three updates, each queued for the status page and the pager; its number."""
    install(core)
    with db.transaction(core.sessions) as s:
        number = service.declare(s, title="Checkout down", body="One.", publishers=CHANNELS, now=NOW).incident_id
        for minutes, body in ((10, "Two."), (20, "Three.")):
            service.post_update(s, incident_id=number, body=body, publishers=CHANNELS,
                                now=NOW + timedelta(minutes=minutes))
    return number


def set_state(core: Core, incident: int, number: int, publisher: str, **values: object) -> None:
    """Change the columns of one delivery (of update `number` to `publisher`)."""
    with db.transaction(core.sessions) as s:
        found = s.scalars(select(Delivery).join(Update, Delivery.update_id == Update.id).where(
            Delivery.incident_id == incident, Update.number == number, Delivery.publisher == publisher)).one()
        for name, value in values.items():
            setattr(found, name, value)


def summary(core: Core, incident: int, update_number: int | None = None) -> list[DeliverySummary]:
    """outbox.summary of an incident (or of its update numbered `update_number`)."""
    with core.sessions() as s:
        update_id = None if update_number is None else s.scalars(select(Update.id).where(
            Update.incident_id == incident, Update.number == update_number)).one()
        return outbox.summary(s, incident, update_id=update_id)


def test_summary_lists_every_delivery_with_its_update_number_in_order(core: Core, three_updates: int) -> None:
    """An incident's summary is one typed row per delivery, in the order they were queued."""
    rows = summary(core, three_updates)
    assert all(isinstance(r, DeliverySummary) for r in rows)
    assert [(r.update_number, r.publisher) for r in rows] == [
        (1, "statuspage"), (1, "pager"), (2, "statuspage"), (2, "pager"), (3, "statuspage"), (3, "pager")]
    first = rows[0]
    assert (first.revision, first.state, first.attempts, first.error, first.url, first.sandbox) == (
        0, "pending", 0, None, None, False)
    assert first.next_attempt_at == NOW


def test_summary_of_one_update_gives_only_its_deliveries(core: Core, three_updates: int) -> None:
    """Asked for one update, the summary holds that update's deliveries and nothing of the others."""
    assert [(r.update_number, r.publisher) for r in summary(core, three_updates, 2)] == [
        (2, "statuspage"), (2, "pager")]


def test_summary_shows_what_each_channel_answered(core: Core, three_updates: int) -> None:
    """State, attempts, error, URL, next attempt and sandbox come from the delivery as stored."""
    retry_at = NOW + timedelta(minutes=3)
    set_state(core, three_updates, 1, "pager", state="sent", attempts=1, url="https://p.test/1", sandbox=True)
    set_state(core, three_updates, 2, "pager", attempts=2, last_error="503 busy", next_attempt_at=retry_at)
    set_state(core, three_updates, 3, "pager", state="dead", attempts=8, last_error="503 busy")
    rows = {r.update_number: r for r in summary(core, three_updates) if r.publisher == "pager"}
    assert (rows[1].state, rows[1].url, rows[1].sandbox, rows[1].retrying, rows[1].needs_person) == (
        "sent", "https://p.test/1", True, False, False)
    assert (rows[2].state, rows[2].attempts, rows[2].error, rows[2].next_attempt_at) == (
        "pending", 2, "503 busy", retry_at)
    assert (rows[2].retrying, rows[2].needs_person) == (True, False)
    assert (rows[3].retrying, rows[3].needs_person) == (False, True)


def test_summary_keeps_to_its_incident(core: Core, three_updates: int) -> None:
    """Another incident's deliveries never appear in this one's summary, and a correction is its own row."""
    with db.transaction(core.sessions) as s:
        other = service.declare(s, title="Other", body="x", publishers=CHANNELS, now=NOW).incident_id
        service.edit_update(s, incident_id=other, body="y", publishers=["pager"], now=NOW)
    assert len(summary(core, three_updates)) == 6
    assert [(r.update_number, r.publisher, r.revision) for r in summary(core, other)] == [
        (1, "statuspage", 0), (1, "pager", 0), (1, "pager", 1)]


def test_requeue_puts_failed_and_dead_back_but_not_sent(core: Core, three_updates: int) -> None:
    """Re-queueing makes failed and dead deliveries due now with attempts reset; sent and pending stay."""
    later = NOW + timedelta(hours=1)
    set_state(core, three_updates, 1, "pager", state="sent", attempts=1, external_id="m1")
    set_state(core, three_updates, 2, "pager", state="failed", attempts=1, last_error="401", claimed_by="w1")
    set_state(core, three_updates, 3, "pager", state="dead", attempts=8, last_error="503",
              claimed_until=NOW + timedelta(minutes=1))
    set_state(core, three_updates, 3, "statuspage", attempts=2, next_attempt_at=NOW + timedelta(days=1))
    with db.transaction(core.sessions) as s:
        assert outbox.requeue(s, incident_id=three_updates, now=later) == 2
    with core.sessions() as s:
        rows = {(d.update.number, d.publisher): d for d in s.scalars(select(Delivery))}
        for key in ((2, "pager"), (3, "pager")):
            back = rows[key]
            assert (back.state, back.attempts, back.next_attempt_at, back.claimed_by, back.claimed_until) == (
                "pending", 0, later, None, None)
        assert (rows[1, "pager"].state, rows[1, "pager"].attempts) == ("sent", 1)
        assert (rows[3, "statuspage"].attempts, rows[3, "statuspage"].next_attempt_at) == (
            2, NOW + timedelta(days=1))


def test_requeue_touches_only_its_incident(core: Core, three_updates: int) -> None:
    """Re-queueing one incident leaves another incident's failed delivery failed; with none, it counts 0."""
    with db.transaction(core.sessions) as s:
        other = service.declare(s, title="Other", body="x", publishers=["pager"], now=NOW).incident_id
    set_state(core, other, 1, "pager", state="failed")
    with db.transaction(core.sessions) as s:
        assert outbox.requeue(s, incident_id=three_updates, now=NOW) == 0
    assert [r.state for r in summary(core, other)] == ["failed"]


def test_notify_sets_the_in_process_wake_event(core: Core) -> None:
    """`notify` wakes a worker thread of this process by setting `outbox.wake`."""
    outbox.wake.clear()
    outbox.notify(core)
    assert outbox.wake.is_set()
    outbox.wake.clear()

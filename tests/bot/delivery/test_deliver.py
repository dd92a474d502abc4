"""One delivery as units: `load` the claimed row as views, `attempt` the plugin, `record` the outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.delivery import claim, deliver
from bot.delivery.deliver import Work
from bot.domain import service
from bot.domain.models import Delivery, Thread
from bot.plugins.contract import PublishError, Receipt
from bot.store import db
from tests.fakes.scripted_plugin import ScriptedPublisher, install

NOW = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def pager(core: Core) -> ScriptedPublisher:
    """The scripted channel, enabled on the core."""
    return install(core)


def queue(core: Core, incident: int | None = None, body: str = "Checkout is down.") -> int:
    """Declare an incident (or post to `incident`) queued for the pager only; the incident's number."""
    with db.transaction(core.sessions) as s:
        if incident is None:
            update = service.declare(s, title="Checkout down", body=body, publishers=["pager"], now=NOW)
        else:
            update = service.post_update(s, incident_id=incident, body=body, publishers=["pager"], now=NOW)
        return update.incident_id


def take(core: Core, worker: str = "w1", now: datetime = NOW) -> int:
    """Claim the one due pager delivery for `worker`; its id."""
    with db.transaction(core.sessions) as s:
        [taken] = claim.claim(s, publisher="pager", worker=worker, now=now, lease=60, limit=1)
    return taken


def loaded(core: Core, delivery_id: int, worker: str = "w1") -> Work:
    """`load` for a delivery the test knows `worker` holds."""
    work = deliver.load(core, delivery_id=delivery_id, worker=worker)
    assert work is not None
    return work


def row(core: Core, delivery_id: int) -> Delivery:
    """The delivery as stored now."""
    with core.sessions() as s:
        found = s.get(Delivery, delivery_id)
        assert found is not None
        return found


def set_attempts(core: Core, delivery_id: int, attempts: int) -> None:
    """Pretend the delivery has been tried `attempts` times."""
    with db.transaction(core.sessions) as s:
        found = s.get(Delivery, delivery_id)
        assert found is not None
        found.attempts = attempts


def test_load_gives_the_claimed_delivery_as_an_event(core: Core, pager: ScriptedPublisher) -> None:
    """A claimed delivery loads as its incident's view, the update's number and revision, and its attempt."""
    number = queue(core)
    work = loaded(core, take(core))
    assert (work.incident_id, work.publisher, work.attempts, work.thread) == (number, "pager", 1, None)
    assert work.event.incident.id == number and work.event.incident.title == "Checkout down"
    assert (work.event.update.number, work.event.update.body, work.event.revision) == (1, "Checkout is down.", 0)


def test_load_carries_the_thread_on_that_channel(core: Core, pager: ScriptedPublisher) -> None:
    """A delivery of an incident that already has a pager thread loads with that thread, not another channel's."""
    number = queue(core)
    with db.transaction(core.sessions) as s:
        s.add(Thread(incident_id=number, publisher="pager", first_id="a1", last_id="a3", url=None, data={"k": "v"}))
        s.add(Thread(incident_id=number, publisher="forum", first_id="f1", last_id="f1", url=None, data={}))
    thread = loaded(core, take(core)).thread
    assert thread is not None and (thread.publisher, thread.first_id, thread.last_id) == ("pager", "a1", "a3")
    assert thread.data == {"k": "v"}


def test_load_of_an_edit_carries_its_revision(core: Core, pager: ScriptedPublisher) -> None:
    """The delivery of a correction loads as that revision, with the corrected text."""
    number = queue(core)
    first = take(core)
    deliver.record(core, loaded(core, first), Receipt(external_id="x1"), worker="w1", now=NOW)
    with db.transaction(core.sessions) as s:
        service.edit_update(s, incident_id=number, body="Checkout was slow, not down.", publishers=["pager"],
                            now=LATER)
    work = loaded(core, take(core, now=LATER))
    assert (work.event.revision, work.event.is_correction) == (1, True)
    assert work.event.update.body == "Checkout was slow, not down."


def test_load_refuses_a_delivery_this_worker_does_not_hold(core: Core, pager: ScriptedPublisher) -> None:
    """Unclaimed, claimed by another worker, already sent or missing: `load` gives None."""
    queue(core)
    with core.sessions() as s:
        waiting = s.scalars(select(Delivery.id)).one()
    assert deliver.load(core, delivery_id=waiting, worker="w1") is None
    held = take(core, worker="w2")
    assert deliver.load(core, delivery_id=held, worker="w1") is None
    deliver.record(core, loaded(core, held, "w2"), Receipt(external_id="x1"), worker="w2", now=NOW)
    assert deliver.load(core, delivery_id=held, worker="w2") is None
    assert deliver.load(core, delivery_id=held + 100, worker="w2") is None


def test_attempt_publishes_what_the_plugin_rendered_and_returns_its_receipt(core: Core,
                                                                             pager: ScriptedPublisher) -> None:
    """`attempt` hands the plugin its own rendering and the thread, and returns the plugin's receipt."""
    queue(core)
    work = loaded(core, take(core))
    pager.answers.append(Receipt(external_id="m1", url="https://pager.example.test/m1"))
    result = deliver.attempt(core, work)
    assert result == Receipt(external_id="m1", url="https://pager.example.test/m1")
    [(event, rendered, thread)] = pager.calls
    assert event == work.event and thread is None
    assert rendered.text == f"#{work.incident_id} u1: Checkout is down."


def test_attempt_returns_a_publish_error_instead_of_raising(core: Core, pager: ScriptedPublisher) -> None:
    """A PublishError the plugin raises comes back as the result, unchanged."""
    queue(core)
    refusal = PublishError("503 busy", retryable=True, retry_after=30)
    pager.answers.append(refusal)
    assert deliver.attempt(core, loaded(core, take(core))) is refusal


def test_a_plugin_raising_a_plain_exception_counts_as_retryable(core: Core, pager: ScriptedPublisher) -> None:
    """A plugin bug becomes a retryable failure whose outcome is unknown, named after the exception."""
    queue(core)
    pager.answers.append(KeyError("thread"))
    result = deliver.attempt(core, loaded(core, take(core)))
    assert isinstance(result, PublishError)
    assert (result.retryable, result.unknown, result.message) == (True, True, "KeyError: 'thread'")


def test_attempt_on_a_channel_not_enabled_here_is_retryable(core: Core, pager: ScriptedPublisher) -> None:
    """A delivery to a channel this worker did not load fails retryably (another worker may have it)."""
    queue(core)
    work = loaded(core, take(core))
    del core.registry.publishers["pager"]
    result = deliver.attempt(core, work)
    assert isinstance(result, PublishError) and result.retryable
    assert result.message == "publisher pager is not enabled in this worker"


def test_a_receipt_records_sent_and_the_thread_ids(core: Core, pager: ScriptedPublisher) -> None:
    """A receipt marks the delivery sent with its id and URL, keeps who sent it, and starts the thread."""
    number = queue(core)
    taken = take(core)
    receipt = Receipt(external_id="m1", url="https://pager.example.test/m1", thread_url="https://pager.example.test/t",
                      thread_data={"topic": 7})
    assert deliver.record(core, loaded(core, taken), receipt, worker="w1", now=LATER) == "sent"
    sent = row(core, taken)
    assert (sent.state, sent.sent_at, sent.external_id, sent.url) == ("sent", LATER, "m1", receipt.url)
    assert (sent.claimed_by, sent.claimed_until, sent.last_error, sent.sandbox) == ("w1", None, None, False)
    with core.sessions() as s:
        thread = s.scalars(select(Thread).where(Thread.incident_id == number, Thread.publisher == "pager")).one()
        assert (thread.first_id, thread.last_id, thread.url, thread.data) == (
            "m1", "m1", "https://pager.example.test/t", {"topic": 7})


def test_later_receipts_advance_the_thread_but_keep_its_start(core: Core, pager: ScriptedPublisher) -> None:
    """The second post moves the thread's last id on; its first id, the thread's URL and earlier data stay."""
    number = queue(core)
    first = take(core)
    deliver.record(core, loaded(core, first), Receipt(external_id="m1", thread_url="https://p.test/t",
                                                      thread_data={"topic": 7}), worker="w1", now=NOW)
    queue(core, number, "Still down.")
    second = take(core)
    work = loaded(core, second)
    assert work.thread is not None and work.thread.last_id == "m1"
    receipt = Receipt(external_id="m2", url="https://p.test/t#m2", thread_data={"post": 2}, sandbox=True)
    assert deliver.record(core, work, receipt, worker="w1", now=LATER) == "sent"
    assert row(core, second).sandbox is True
    with core.sessions() as s:
        thread = s.scalars(select(Thread).where(Thread.incident_id == number)).one()
        assert (thread.first_id, thread.last_id, thread.url, thread.data) == (
            "m1", "m2", "https://p.test/t", {"topic": 7, "post": 2})


def test_a_receipt_naming_the_thread_ids_sets_them(core: Core, pager: ScriptedPublisher) -> None:
    """A publisher that edits in place names the thread's first and last ids itself, and those are kept."""
    number = queue(core)
    taken = take(core)
    receipt = Receipt(external_id="edit-1", thread_first_id="t1", thread_last_id="t9")
    deliver.record(core, loaded(core, taken), receipt, worker="w1", now=NOW)
    with core.sessions() as s:
        thread = s.scalars(select(Thread).where(Thread.incident_id == number)).one()
        assert (thread.first_id, thread.last_id) == ("t1", "t9")


def test_a_retryable_failure_schedules_the_next_attempt_with_backoff(core: Core, pager: ScriptedPublisher) -> None:
    """A retryable refusal stays pending with its error, the claim dropped, due within the backoff ceiling."""
    queue(core)
    taken = take(core)
    set_attempts(core, taken, 4)  # the 4th attempt: the jitter ceiling is base · 2³ = 80 s
    outcome = deliver.record(core, loaded(core, taken), PublishError("503 busy", retryable=True), worker="w1",
                             now=LATER)
    assert outcome == "retry"
    waiting = row(core, taken)
    assert (waiting.state, waiting.last_error, waiting.claimed_by, waiting.claimed_until) == (
        "pending", "503 busy", None, None)
    assert LATER <= waiting.next_attempt_at <= LATER + timedelta(seconds=core.config.retry_base * 8)


def test_a_channel_asking_for_a_wait_gets_it_capped(core: Core, pager: ScriptedPublisher) -> None:
    """A Retry-After is honoured exactly, and one longer than HERALD_RETRY_CAP waits the cap."""
    queue(core)
    taken = take(core)
    deliver.record(core, loaded(core, taken), PublishError("429", retryable=True, retry_after=42), worker="w1",
                   now=LATER)
    assert row(core, taken).next_attempt_at == LATER + timedelta(seconds=42)
    again = take(core, now=LATER + timedelta(seconds=42))
    deliver.record(core, loaded(core, again), PublishError("429", retryable=True, retry_after=10**6), worker="w1",
                   now=LATER)
    assert row(core, again).next_attempt_at == LATER + timedelta(seconds=core.config.retry_cap)


def test_an_unknown_outcome_waits_at_least_the_publish_timeout(core: Core, pager: ScriptedPublisher) -> None:
    """After a timeout the retry comes no sooner than HERALD_PUBLISH_TIMEOUT, above the first backoff ceiling."""
    assert core.config.publish_timeout > core.config.retry_base  # so the floor, not the jitter, decides
    queue(core)
    taken = take(core)
    timeout = PublishError("timed out", retryable=True, unknown=True)
    assert deliver.record(core, loaded(core, taken), timeout, worker="w1", now=LATER) == "retry"
    assert row(core, taken).next_attempt_at == LATER + timedelta(seconds=core.config.publish_timeout)


def test_a_plugin_bug_is_recorded_as_a_retry(core: Core, pager: ScriptedPublisher) -> None:
    """An exception from the plugin ends as a pending retry, no sooner than one publish timeout."""
    queue(core)
    taken = take(core)
    work = loaded(core, taken)
    pager.answers.append(RuntimeError("boom"))
    assert deliver.record(core, work, deliver.attempt(core, work), worker="w1", now=LATER) == "retry"
    waiting = row(core, taken)
    assert (waiting.state, waiting.last_error) == ("pending", "RuntimeError: boom")
    assert waiting.next_attempt_at >= LATER + timedelta(seconds=core.config.publish_timeout)


def test_a_non_retryable_failure_is_failed(core: Core, pager: ScriptedPublisher) -> None:
    """A refusal no retry can fix marks the delivery failed, with the error and no claim."""
    queue(core)
    taken = take(core)
    refusal = PublishError("401 bad credentials", retryable=False)
    assert deliver.record(core, loaded(core, taken), refusal, worker="w1", now=LATER) == "failed"
    failed = row(core, taken)
    assert (failed.state, failed.last_error, failed.claimed_by, failed.sent_at) == (
        "failed", "401 bad credentials", None, None)


def test_a_retryable_failure_at_the_attempt_limit_is_dead(core: Core, pager: ScriptedPublisher) -> None:
    """The last allowed attempt failing retryably marks the delivery dead; one attempt fewer still retries."""
    queue(core)
    taken = take(core)
    set_attempts(core, taken, core.config.max_attempts - 1)
    error = PublishError("503", retryable=True)
    assert deliver.record(core, loaded(core, taken), error, worker="w1", now=LATER) == "retry"
    again = take(core, now=LATER + timedelta(hours=1))
    assert row(core, again).attempts == core.config.max_attempts
    assert deliver.record(core, loaded(core, again), error, worker="w1", now=LATER) == "dead"
    assert (row(core, again).state, row(core, again).last_error) == ("dead", "503")


def test_a_failure_on_a_delivery_another_worker_holds_is_gone(core: Core, pager: ScriptedPublisher) -> None:
    """When the lease passed to another worker, a failure records nothing: that worker owns the retry."""
    queue(core)
    taken = take(core, worker="w1")
    work = loaded(core, taken)
    again = take(core, worker="w2", now=NOW + timedelta(seconds=61))  # w1's lease ran out
    assert again == taken
    before = row(core, taken)
    assert deliver.record(core, work, PublishError("503", retryable=True), worker="w1", now=LATER) == "gone"
    after = row(core, taken)
    assert (after.state, after.claimed_by, after.last_error, after.next_attempt_at) == (
        "pending", "w2", None, before.next_attempt_at)


def test_a_receipt_from_a_worker_whose_lease_ran_out_is_still_recorded(core: Core,
                                                                       pager: ScriptedPublisher) -> None:
    """A post that reached the channel is recorded as sent even if another worker took the lease meanwhile."""
    queue(core)
    taken = take(core, worker="w1")
    work = loaded(core, taken)
    take(core, worker="w2", now=NOW + timedelta(seconds=61))
    assert deliver.record(core, work, Receipt(external_id="m1"), worker="w1", now=LATER) == "sent"
    assert (row(core, taken).state, row(core, taken).external_id) == ("sent", "m1")


def test_recording_a_delivery_no_longer_pending_is_gone(core: Core, pager: ScriptedPublisher) -> None:
    """A second outcome for a delivery already sent changes nothing."""
    queue(core)
    taken = take(core)
    work = loaded(core, taken)
    assert deliver.record(core, work, Receipt(external_id="m1"), worker="w1", now=NOW) == "sent"
    assert deliver.record(core, work, Receipt(external_id="m2"), worker="w1", now=LATER) == "gone"
    assert deliver.record(core, work, PublishError("401", retryable=False), worker="w1", now=LATER) == "gone"
    assert (row(core, taken).state, row(core, taken).external_id, row(core, taken).sent_at) == ("sent", "m1", NOW)


def test_a_long_error_is_stored_cut_to_2000_characters(core: Core, pager: ScriptedPublisher) -> None:
    """A channel's very long error message is kept, cut to the column's 2,000 characters."""
    queue(core)
    taken = take(core)
    deliver.record(core, loaded(core, taken), PublishError("x" * 5000, retryable=False), worker="w1", now=LATER)
    assert row(core, taken).last_error == "x" * 2000

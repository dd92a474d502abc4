"""The worker in this process: order, retries and backoff, dead and failed, lanes, hooks, shutdown."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.commands import execute
from bot.core import Core
from bot.delivery import deliver, outbox
from bot.delivery.worker import Worker, start_thread
from bot.domain.models import Delivery, Thread, utcnow
from bot.lograte import Throttle
from bot.text import grammar
from herald.cli import main
from tests.bot.delivery import worker_kit as kit
from tests.fakes import receiver_plugin
from tests.fakes.receiver import Receiver
from tests.support import eventually


class FakeClock:
    """A clock the test moves by hand; moving it wakes the worker."""

    def __init__(self) -> None:
        self.at = utcnow() + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        outbox.wake.set()


def core_for(database_url: str, tmp_path: Path, rx: Receiver, **env: Any) -> Core:
    available, timeout = env.pop("available", None), env.pop("timeout", None)
    return kit.make_core(kit.settings(database_url, tmp_path, **env), rx, available=available, timeout=timeout)


def step(worker: Worker) -> int:
    """Claim what is due now and wait until those deliveries are recorded."""
    started = worker.fill()
    eventually(lambda: not worker.held(), timeout=20)
    return started


def deliveries(core: Core, publisher: str) -> list[Delivery]:
    with core.sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.publisher == publisher).order_by(Delivery.id)))


def test_every_update_reaches_every_channel_once_in_order(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """Three incidents of five updates each arrive on both channels as reply chains in update order."""
    core = core_for(database_url, tmp_path, rx)
    thread, stop = start_thread(core)
    ids = [kit.post(core, None, f"incident {n}") for n in range(3)]
    for n in range(2, 6):
        for i in ids:
            kit.post(core, i, f"update {n}")
    eventually(lambda: rx.count() == 30)
    stop.set()
    thread.join(10)
    assert not thread.is_alive() and rx.conflicts == [] and rx.replays == 0
    for channel in kit.CHANNELS:
        for i in ids:
            assert rx.chain(channel, i) == [(n, 0) for n in range(1, 6)]
    with core.sessions() as session:
        threads = session.scalars(select(Thread).where(Thread.publisher == "alpha")).all()
        first: dict[int, str] = {}
        for m in rx.messages["alpha"]:
            first.setdefault(m.incident, m.id)
        last = {m.incident: m.id for m in rx.messages["alpha"]}
        assert {t.incident_id: (t.first_id, t.last_id) for t in threads} == {i: (first[i], last[i]) for i in ids}
    assert kit.states(core) == {"sent": 30}


def test_a_429_waits_exactly_the_retry_after_it_was_given(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A rate-limited delivery stays pending until now + Retry-After, then goes out."""
    rx.retry_after = "30"
    rx.script("429")
    core = core_for(database_url, tmp_path, rx, HERALD_PUBLISHERS="alpha", HERALD_RETRY_CAP="1800")
    clock = FakeClock()
    worker = Worker(core, now=clock)
    kit.post(core, None, "declared")
    assert step(worker) == 1
    [row] = deliveries(core, "alpha")
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, clock() + timedelta(seconds=30))
    assert "429" in (row.last_error or "")
    clock.advance(29)
    assert step(worker) == 0
    clock.advance(1)
    assert step(worker) == 1
    assert [d.state for d in deliveries(core, "alpha")] == ["sent"] and rx.count("alpha") == 1


def test_a_refused_request_retries_after_the_backoff_alone(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A 503 (an answer came back, nothing is in flight) retries within the jittered backoff, not after a
    whole publish timeout."""
    rx.script("5xx")
    core = core_for(database_url, tmp_path, rx, HERALD_PUBLISHERS="alpha", HERALD_PUBLISH_TIMEOUT="30",
                    HERALD_RETRY_BASE="1")
    clock = FakeClock()
    worker = Worker(core, now=clock)
    kit.post(core, None, "declared")
    assert step(worker) == 1
    [row] = deliveries(core, "alpha")
    assert row.state == "pending" and "503" in (row.last_error or "")
    assert row.next_attempt_at <= clock() + timedelta(seconds=1)


def test_a_timeout_waits_at_least_one_publish_timeout(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A request that timed out may still land, so its retry waits at least HERALD_PUBLISH_TIMEOUT."""
    rx.slow_seconds = 1.0
    rx.script("slow")
    core = core_for(database_url, tmp_path, rx, HERALD_PUBLISHERS="alpha", HERALD_PUBLISH_TIMEOUT="0.3")
    clock = FakeClock()
    worker = Worker(core, now=clock)
    kit.post(core, None, "declared")
    assert step(worker) == 1
    [row] = deliveries(core, "alpha")
    assert row.state == "pending" and "Timeout" in (row.last_error or "")
    assert row.next_attempt_at >= clock() + timedelta(seconds=0.3)


def test_each_failed_attempt_is_logged_but_a_flapping_channel_cannot_flood_the_log(
        database_url: str, tmp_path: Path, rx: Receiver, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every failed attempt logs a line saying what happens next, at most `burst` a minute per channel;
    the next line after a quiet spell says how many were left out."""
    ticks = [0.0]
    monkeypatch.setattr(deliver, "FAILURE_LINES", Throttle(burst=3, period=60, clock=lambda: ticks[0]))
    rx.down.add("alpha")
    core = core_for(database_url, tmp_path, rx, HERALD_PUBLISHERS="alpha", HERALD_MAX_ATTEMPTS="100")
    clock = FakeClock()
    worker = Worker(core, now=clock)
    for n in range(4):
        kit.post(core, None, f"incident {n}")
    caplog.set_level(logging.WARNING, logger="bot.delivery.deliver")
    assert step(worker) == 4
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.delivery.deliver"]
    assert len(lines) == 3
    assert all(" to alpha, attempt 1 of 100: 503 server error; retrying at " in line for line in lines)
    ticks[0] = 61.0
    clock.advance(5)
    caplog.clear()
    assert step(worker) == 4
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.delivery.deliver"]
    assert len(lines) == 3 and "attempt 2 of 100" in lines[0]
    assert lines[0].endswith("(1 more failure lines of alpha were left out)")


def test_retryable_failures_end_dead_at_the_attempt_limit(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A channel answering 503 is tried HERALD_MAX_ATTEMPTS times, then the delivery is dead."""
    rx.down.add("alpha")
    core = core_for(database_url, tmp_path, rx, HERALD_MAX_ATTEMPTS="3")
    clock = FakeClock()
    worker = Worker(core, now=clock)
    kit.post(core, None, "declared")
    for _ in range(5):
        step(worker)
        clock.advance(3)
    [row] = deliveries(core, "alpha")
    assert (row.state, row.attempts) == ("dead", 3) and "503" in (row.last_error or "")
    assert [d.state for d in deliveries(core, "beta")] == ["sent"]


def test_a_permanent_refusal_fails_at_once_later_updates_go_on_and_herald_retry_requeues(
        database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A 401 marks the delivery failed after one attempt without holding back the next update;
    `herald retry` then sends the failed one."""
    rx.refusing.add("alpha")
    env = kit.settings(database_url, tmp_path)
    core = kit.make_core(env, rx)
    clock = FakeClock()
    worker = Worker(core, now=clock)
    incident = kit.post(core, None, "declared")
    step(worker)
    rx.refusing.clear()
    kit.post(core, incident, "second")
    step(worker)
    assert [(d.state, d.attempts) for d in deliveries(core, "alpha")] == [("failed", 1), ("sent", 1)]
    assert rx.count("beta") == 2 and rx.count("alpha") == 1
    result = CliRunner().invoke(main, ["retry", f"#{incident}"], env=env)
    assert result.exit_code == 0 and "Re-queued 1 failed delivery" in result.output
    while step(worker):
        pass
    assert [d.state for d in deliveries(core, "alpha")] == ["sent", "sent"] and rx.count("alpha") == 2


def test_an_unexpected_plugin_error_is_retried_and_the_worker_lives(
        database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A publisher raising RuntimeError is logged and retried like a network error."""
    calls: list[int] = []

    class Clumsy(receiver_plugin.Alpha):
        url = rx.url

        def publish(self, event: Any, rendered: Any, thread: Any) -> Any:
            calls.append(event.update.number)
            if len(calls) == 1:
                raise RuntimeError("plugin bug")
            return super().publish(event, rendered, thread)

    core = core_for(database_url, tmp_path, rx, HERALD_PUBLISHERS="alpha", available={"alpha": Clumsy})
    clock = FakeClock()
    worker = Worker(core, now=clock)
    kit.post(core, None, "declared")
    step(worker)
    [row] = deliveries(core, "alpha")
    assert (row.state, row.last_error) == ("pending", "RuntimeError: plugin bug")
    clock.advance(3)
    step(worker)
    assert [d.state for d in deliveries(core, "alpha")] == ["sent"] and calls == [1, 1]


def test_a_hung_channel_does_not_delay_another(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """While every request to alpha hangs, all of beta's deliveries go out; alpha's follow in order."""
    rx.hold("alpha")
    core = core_for(database_url, tmp_path, rx)
    thread, stop = start_thread(core)
    ids = [kit.post(core, None, f"incident {n}") for n in range(6)]
    for i in ids:
        kit.post(core, i, "second")
    eventually(lambda: rx.count("beta") == 12)
    assert rx.count("alpha") == 0 and rx.waiting["alpha"] == 4  # alpha's lane is full and stuck
    rx.release("alpha")
    eventually(lambda: rx.count("alpha") == 12)
    stop.set()
    thread.join(10)
    assert all(rx.chain("alpha", i) == [(1, 0), (2, 0)] for i in ids) and rx.conflicts == []


def test_ten_minutes_of_one_channel_down_never_delays_the_other(
        database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """Over ten simulated minutes of alpha answering 503, each new update reaches beta at once."""
    rx.down.add("alpha")
    core = core_for(database_url, tmp_path, rx, HERALD_MAX_ATTEMPTS="100", HERALD_RETRY_BASE="10",
                    HERALD_RETRY_CAP="120")
    clock = FakeClock()
    worker = Worker(core, now=clock)
    incident = kit.post(core, None, "declared", now=clock())
    for minute in range(20):
        step(worker)
        assert rx.count("beta") == minute + 1 and rx.count("alpha") == 0
        clock.advance(30)
        kit.post(core, incident, f"half-minute {minute}", now=clock())
    rx.down.clear()
    clock.advance(121)
    for _ in range(50):
        if not step(worker):
            break
    assert rx.chain("alpha", incident) == [(n, 0) for n in range(1, 22)]


def test_every_outcome_tells_the_delivery_hooks(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """after_delivery runs once per recorded outcome, with the incident's id (the Slack receipts' cue)."""
    rx.refusing.add("beta")
    core = core_for(database_url, tmp_path, rx)
    seen: list[int] = []
    core.delivery_hooks.append(lambda _core, incident_id: seen.append(incident_id))
    incident = kit.post(core, None, "declared")
    step(Worker(core, now=FakeClock()))
    assert seen == [incident, incident]


def test_stopping_releases_claims_still_in_flight(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A stopped worker waits out its grace period, then gives unfinished claims back, uncounted."""
    rx.hold("alpha")
    core = core_for(database_url, tmp_path, rx, HERALD_SHUTDOWN_GRACE="0.3")
    thread, stop = start_thread(core)
    kit.post(core, None, "declared")
    eventually(lambda: rx.waiting.get("alpha") == 1 and rx.count("beta") == 1)
    stop.set()
    thread.join(10)
    [row] = deliveries(core, "alpha")
    assert not thread.is_alive() and (row.state, row.claimed_by, row.attempts) == ("pending", None, 0)
    rx.release("alpha")  # the abandoned post still lands, and its receipt is still recorded
    eventually(lambda: kit.states(core) == {"sent": 2})
    core.engine.dispose()


def test_a_slow_publish_keeps_its_lease_alive(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A publish lasting several leases is renewed by its worker, so a second worker never takes it over."""
    rx.hold("alpha")
    core = core_for(database_url, tmp_path, rx, HERALD_CLAIM_LEASE="0.6", HERALD_WORKER_POLL="0.1",
                    HERALD_PUBLISHERS="alpha", timeout=30)
    first, stop_first = start_thread(core)
    second, stop_second = start_thread(core)
    kit.post(core, None, "declared")
    eventually(lambda: rx.waiting.get("alpha") == 1)
    eventually(lambda: rx.waiting.get("alpha") != 1, timeout=2.0, required=False)  # three leases' time
    assert rx.waiting["alpha"] == 1
    rx.release("alpha")
    eventually(lambda: kit.states(core) == {"sent": 1})
    for stop, thread in ((stop_first, first), (stop_second, second)):
        stop.set()
        thread.join(10)
    assert len(rx.requests) == 1 and rx.replays == 0


def test_incident_retry_wakes_the_worker(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """`/incident retry` re-queues a failed delivery and wakes an idle worker at once (its poll is 60 s)."""
    rx.refusing.add("alpha")
    core = core_for(database_url, tmp_path, rx, HERALD_WORKER_POLL="60", HERALD_PUBLISHERS="alpha")
    thread, stop = start_thread(core)
    incident = kit.post(core, None, "declared")
    eventually(lambda: kit.states(core) == {"failed": 1})
    rx.refusing.clear()
    outcome = execute(core, grammar.parse(f"retry {incident}"), author="U1")
    assert outcome.requeued == 1 and eventually(lambda: kit.states(core) == {"sent": 1}, timeout=20)
    stop.set()
    thread.join(10)

"""`herald worker` as real processes: plugin discovery, SIGTERM, SIGKILL and leases, LISTEN, SKIP LOCKED."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from sqlalchemy import select

from bot.domain.models import Delivery
from tests.bot.delivery import worker_kit as kit
from tests.fakes.receiver import Receiver
from tests.support import eventually


def ready(tmp_path: Path, name: str) -> bool:
    log = tmp_path / f"{name}.log"
    return log.exists() and "delivering for alpha, beta" in log.read_text()


def test_sigterm_lets_the_delivery_in_flight_finish(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """A worker told to stop while a post is in flight records it as sent, then exits 0."""
    env = kit.settings(database_url, tmp_path)
    core = kit.make_core(env, rx)
    with kit.workers(env, tmp_path, rx) as [proc]:
        incident = kit.post(core, None, "declared")
        eventually(lambda: rx.count() == 2)
        rx.hold("alpha")
        kit.post(core, incident, "second")
        eventually(lambda: rx.waiting.get("alpha") == 1)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # the worker is now shutting down, waiting for its grace period
        assert proc.poll() is None
        rx.release("alpha")
        assert proc.wait(15) == 0
    assert kit.states(core) == {"sent": 4} and rx.chain("alpha", incident) == [(1, 0), (2, 0)]
    assert "w0 stopped; outcomes: {'sent': 4}" in (tmp_path / "w0.log").read_text()


def test_a_killed_workers_claim_is_taken_over_once_its_lease_ends(
        database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """SIGKILL mid-publish: another worker retries after the lease and the idempotency key stops a double post."""
    env = kit.settings(database_url, tmp_path)
    core = kit.make_core(env, rx)
    rx.hold("alpha")
    first = kit.spawn(env, tmp_path, rx, "first")
    incident = kit.post(core, None, "declared")
    eventually(lambda: rx.waiting.get("alpha") == 1)
    assert kit.stop(first, signal.SIGKILL) == -signal.SIGKILL
    rx.release("alpha")  # the request the dead worker sent is still carried out
    eventually(lambda: rx.count("alpha") == 1)
    with kit.workers(env, tmp_path, rx, prefix="second"):
        eventually(lambda: kit.states(core) == {"sent": 2})
    assert rx.chain("alpha", incident) == rx.chain("beta", incident) == [(1, 0)] and rx.replays >= 1
    with core.sessions() as session:
        row = session.scalars(select(Delivery).where(Delivery.publisher == "alpha")).one()
        assert (row.attempts, row.claimed_by, row.external_id) == (2, "second0", rx.messages["alpha"][0].id)


def test_postgres_notify_wakes_an_idle_worker(pg_url: str, tmp_path: Path, rx: Receiver) -> None:
    """With a 60 s fallback poll, a new update is still delivered promptly: NOTIFY woke the worker."""
    env = kit.settings(pg_url, tmp_path, HERALD_WORKER_POLL="60")
    core = kit.make_core(env, rx)
    with kit.workers(env, tmp_path, rx):
        eventually(lambda: ready(tmp_path, "w0"))
        time.sleep(0.5)  # let it finish its first turn and go idle
        kit.post(core, None, "declared")
        eventually(lambda: rx.count() == 2, timeout=30)


def test_postgres_workers_share_the_queue_without_a_double_post(pg_url: str, tmp_path: Path, rx: Receiver) -> None:
    """Three workers drain 48 deliveries together; SKIP LOCKED means no request is ever sent twice."""
    env = kit.settings(pg_url, tmp_path)
    core = kit.make_core(env, rx)
    with kit.workers(env, tmp_path, rx, count=3):
        eventually(lambda: all(ready(tmp_path, f"w{n}") for n in range(3)))
        ids = [kit.post(core, None, f"incident {n}") for n in range(6)]
        for n in range(2, 5):
            for i in ids:
                kit.post(core, i, f"update {n}")
        eventually(lambda: kit.states(core) == {"sent": 48}, timeout=60)
    assert len(rx.requests) == 48 and rx.replays == 0 and rx.conflicts == []
    assert all(rx.chain(c, i) == [(n, 0) for n in range(1, 5)] for c in kit.CHANNELS for i in ids)

"""Chaos: a flaky channel, workers killed with SIGKILL and restarted; still exactly once, in order.

200 updates over 20 incidents go to two channels while the fake fails 30% of calls (503, 429 with
Retry-After, slow answers past the client timeout, dropped connections, work done but the answer
lost) and worker processes are killed mid-flight. The receiver deduplicates nothing by itself: only
the idempotency key our publisher sends lets a retry find the message an earlier attempt created.
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.core import Core
from bot.delivery import outbox
from bot.domain import service
from bot.domain.models import Delivery, Thread
from bot.store import db
from herald.app import create_core
from tests.bot.delivery import worker_kit as kit
from tests.fakes.discourse import FakeDiscourse
from tests.fakes.receiver import Receiver
from tests.fakes.twitter import FakeTwitter
from tests.support import eventually, make_env

INCIDENTS, UPDATES, KILLS = 20, 10, 5
CHAOS = {"HERALD_CLAIM_LEASE": "3", "HERALD_MAX_ATTEMPTS": "1000", "HERALD_RETRY_BASE": "0.05",
         "HERALD_RETRY_CAP": "0.4", "HERALD_WORKER_CONCURRENCY": "6", "HERALD_SHUTDOWN_GRACE": "1",
         "HERALD_PUBLISH_TIMEOUT": "0.3"}


def produce(core: Core, ids: list[int], rng: random.Random) -> None:
    """Declare the incidents, then post their updates in rounds (a round per transaction, shuffled)."""
    for n in range(INCIDENTS):
        ids.append(kit.post(core, None, f"incident {n} declared"))
    for number in range(2, UPDATES + 1):
        with db.transaction(core.sessions) as session:
            for incident in rng.sample(ids, len(ids)):
                service.post_update(session, incident_id=incident, body=f"update {number} of #{incident}",
                                    publishers=core.publisher_names)
        outbox.notify(core)


def kill_and_restart(procs: list[subprocess.Popen[bytes]], env: dict[str, str], tmp_path: Path,
                     rx: Receiver, rng: random.Random, stop: threading.Event) -> list[int]:
    """SIGKILL a random worker every ~0.7 s and start a new one in its place; the kill codes."""
    codes = []
    for k in range(KILLS):
        if stop.wait(rng.uniform(0.4, 1.0)):
            break
        slot = rng.randrange(len(procs))
        codes.append(kit.stop(procs[slot], signal.SIGKILL))
        procs[slot] = kit.spawn(env, tmp_path, rx, f"restart{k}")
    return codes


def check_exactly_once_in_order(core: Core, rx: Receiver, ids: list[int]) -> None:
    assert rx.conflicts == []
    for channel in kit.CHANNELS:
        for incident in ids:
            assert rx.chain(channel, incident) == [(n, 0) for n in range(1, UPDATES + 1)], (channel, incident)
    assert rx.count() == 2 * INCIDENTS * UPDATES
    made = {(m.channel, m.key): m.id for ms in rx.messages.values() for m in ms}
    with core.sessions() as session:
        for d in session.scalars(select(Delivery)):
            assert d.state == "sent"
            assert d.external_id == made[(d.publisher, f"{d.incident_id}:{d.update.number}:0")]


def run_chaos(database_url: str, tmp_path: Path, *, workers: int, seed: int) -> None:
    rng = random.Random(seed)
    with Receiver(rate=0.3, seed=seed, slow_seconds=0.5, retry_after="0.2") as rx:
        env = kit.settings(database_url, tmp_path, **CHAOS)
        core = kit.make_core(env, rx)
        procs = [kit.spawn(env, tmp_path, rx, f"w{n}") for n in range(workers)]
        ids: list[int] = []
        done = threading.Event()
        producer = threading.Thread(target=lambda: (produce(core, ids, rng), done.set()), daemon=True)
        producer.start()
        try:
            codes = kill_and_restart(procs, env, tmp_path, rx, random.Random(seed + 1), threading.Event())
            producer.join(60)
            assert done.is_set()
            total = 2 * INCIDENTS * UPDATES
            eventually(lambda: kit.states(core) == {"sent": total}, timeout=90, every=0.2, what="every delivery sent")
        finally:
            for proc in procs:
                kit.stop(proc)
        assert codes == [-signal.SIGKILL] * KILLS
        assert {"5xx", "429", "slow", "drop", "lost"} <= set(rx.faults.injected) and rx.replays > 0
        try:
            check_exactly_once_in_order(core, rx, ids)
        finally:
            kit.dispose_all()


def test_chaos_exactly_once_in_order(database_url: str, tmp_path: Path) -> None:
    """One worker process, killed five times, delivers 400 (update, channel) pairs exactly once in order."""
    run_chaos(database_url, tmp_path, workers=1, seed=11)


def test_chaos_four_postgres_workers(database_url: str, tmp_path: Path) -> None:
    """Four worker processes on PostgreSQL, killed at random, still deliver exactly once in order."""
    if not database_url.startswith("postgresql"):
        pytest.skip("runs in the PostgreSQL pass (HERALD_TEST_DATABASE_URL): several workers need SKIP LOCKED")
    run_chaos(database_url, tmp_path, workers=4, seed=23)


def test_chaos_with_the_twitter_and_forum_publishers(database_url: str, tmp_path: Path) -> None:
    """Real Twitter and forum publishers against the fake X and Discourse under faults and SIGKILLs:
    one tweet per update in one reply chain, one topic with one post per update, in order."""
    incidents, updates = 6, 5
    faults = {"rate": 0.3, "kinds": ("5xx", "429", "drop", "lost", "slow"), "slow_seconds": 0.5,
              "wait_seconds": 0}
    with FakeTwitter(seed=5, **faults) as x, FakeDiscourse(seed=6, **faults) as forum:
        env = make_env(database_url, tmp_path, **{**CHAOS, **x.env(), **forum.env()},
                       HERALD_PUBLISHERS="twitter,forum")
        core = create_core(load_config(env))
        procs = [kit.spawn(env, tmp_path, None, f"w{n}") for n in range(2)]
        try:
            ids = [kit.post(core, None, f"Outage number {n}") for n in range(incidents)]
            for number in range(2, updates + 1):
                for k, incident in enumerate(ids):
                    kit.post(core, incident, f"Step {number} of outage {k}.")
                    if k == 0 and number % 2:  # kill a worker now and then, mid-stream
                        kit.stop(procs[number % 2], signal.SIGKILL)
                        procs[number % 2] = kit.spawn(env, tmp_path, None, f"restart{number}")
            done = eventually(lambda: kit.states(core) == {"sent": 2 * incidents * updates}, timeout=90)
            assert done, kit.states(core)
        finally:
            for proc in procs:
                kit.stop(proc)
            core.engine.dispose()
        assert len(x.faults.injected) >= 5 and len(forum.faults.injected) >= 5
        assert sorted(x.posts_per_thread().values()) == [updates] * incidents
        assert sorted(forum.posts_per_topic().values()) == [updates] * incidents
        with core.sessions() as session:
            threads = {(t.incident_id, t.publisher): t for t in session.scalars(select(Thread))}
        for k, incident in enumerate(ids):
            tweets = [t.text for t in x.chain(threads[(incident, "twitter")].last_id or "")]
            topic = forum.topics[int(threads[(incident, "forum")].first_id or 0)]
            posts = [forum.posts[p]["raw"] for p in topic["posts"]]
            for number in range(2, updates + 1):
                assert f"Step {number} of outage {k}." in tweets[number - 1]
                assert f"Step {number} of outage {k}." in posts[number - 1]

"""Several workers on one database: every due job fires exactly once, whoever claims it."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.config import load_config
from bot.core import Core
from bot.domain.models import Incident, Job, Update
from bot.schedule.scheduler import run_due
from bot.store.db import transaction
from herald.app import create_core
from tests.bot.schedule.scheduling import MIN, T, run, with_probe
from tests.fakes import slack
from tests.support import make_env

WORKERS, WINDOWS = 3, 4


def build(url: str, tmp_path: Path, fake: slack.FakeSlack) -> Core:
    """One worker's core: its own engine and pool, as in its own process."""
    env = make_env(url, tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s3cret",
                   SLACK_API_URL=f"{fake.url}/api/")
    return with_probe(create_core(load_config(env)))


def prepare(core: Core) -> int:
    """Four windows starting 7 min apart (20 min long), and one incident with a Slack card; its id."""
    for i in range(WINDOWS):
        start = T + i * 7 * MIN
        run(core, f"maintenance Window {i} --from {start.isoformat()} --to {(start + 20 * MIN).isoformat()} -c app",
            now=T - 2 * 60 * MIN)
    out = run(core, "open Checkout errors -c www", now=T)
    assert out.incident is not None
    with transaction(core.sessions) as s:
        row = s.get(Incident, out.incident.id)
        assert row is not None
        row.slack_channel, row.slack_card_ts = "C0INCIDENT", "1.000100"
    return out.incident.id


def race(cores: list[Core]) -> list[int]:
    """Every worker calls run_due at each minute from T − 61 min to T + 61 min, in lockstep."""
    instants = [T + k * MIN for k in range(-61, 62)]
    barrier, ran, errors = threading.Barrier(len(cores)), [0] * len(cores), []

    def loop(i: int) -> None:
        try:
            for now in instants:
                barrier.wait(timeout=30)
                ran[i] += run_due(cores[i], now=now)
        except Exception as exc:  # surfaced below: a worker thread cannot fail the test itself
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(cores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return ran


def check_exactly_once(url: str, tmp_path: Path) -> None:
    """Three workers race over the same instants; each transition and reminder happens once."""
    fake, server = slack.start()
    cores = [build(url, tmp_path, fake) for _ in range(WORKERS)]
    try:
        incident_id = prepare(cores[0])
        ran = race(cores)
        with cores[0].sessions() as s:
            events = Counter(s.scalars(select(Update.event).join(Incident).where(Incident.kind == "maintenance")))
            states = Counter(s.scalars(select(Job.state)))
            jobs = s.scalar(select(func.count(Job.id))) or 0
        assert events == {"schedule": WINDOWS, "update": WINDOWS, "start": WINDOWS, "complete": WINDOWS}
        assert sum(ran) == 3 * WINDOWS + 2  # reminder, start, complete per window; two cadence reminders
        assert states == {"done": jobs - 1, "pending": 1}  # the next cadence reminder, at T + 90 min
        sent = fake.of("chat.postMessage")
        assert [m["thread_ts"] for m in sent] == ["1.000100", "1.000100"]
        assert all(f"#{incident_id}" in m["text"] for m in sent)
    finally:
        for core in cores:
            core.engine.dispose()
        server.shutdown()
        server.server_close()


def test_three_workers_on_postgresql_fire_each_job_once(pg_url: str, tmp_path: Path) -> None:
    """On PostgreSQL (FOR UPDATE SKIP LOCKED) three racing workers fire every job exactly once."""
    check_exactly_once(pg_url, tmp_path)


def test_three_workers_on_the_test_database_fire_each_job_once(database_url: str, tmp_path: Path) -> None:
    """On the test database (SQLite by default, BEGIN IMMEDIATE) the same race fires every job once."""
    check_exactly_once(database_url, tmp_path)


def test_a_claimed_job_is_not_claimed_again_until_its_lease_ends(database_url: str, tmp_path: Path) -> None:
    """A job claimed by a worker that then died is invisible to others until the lease expires."""
    fake, server = slack.start()
    core = build(database_url, tmp_path, fake)
    try:
        prepare(core)
        from bot.schedule.scheduler import LEASE, claim

        with transaction(core.sessions) as s:
            first = claim(s, T - 60 * MIN)
            assert first is not None and first.kind == "remind"
        with transaction(core.sessions) as s:
            assert claim(s, T - 60 * MIN) is None
        assert run_due(core, now=T - 60 * MIN + LEASE) == 1
        assert run_due(core, now=T - 60 * MIN + LEASE + timedelta(seconds=1)) == 0
    finally:
        core.engine.dispose()
        server.shutdown()
        server.server_close()

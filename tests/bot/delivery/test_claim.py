"""Claiming outbox rows: one head per (incident, publisher), leases, releases, SKIP LOCKED."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core import Core
from bot.delivery import claim, outbox
from bot.domain.models import Delivery, utcnow
from bot.store import db
from tests.bot.delivery import worker_kit as kit
from tests.fakes.receiver import Receiver


@pytest.fixture
def wcore(database_url: str, tmp_path: Path, rx: Receiver) -> Iterator[Core]:
    core = kit.make_core(kit.settings(database_url, tmp_path), rx)
    yield core
    core.engine.dispose()


def claim_now(core: Core, publisher: str = "alpha", *, worker: str = "w1", after: float = 1,
              limit: int = 10) -> list[int]:
    with db.transaction(core.sessions) as session:
        return claim.claim(session, publisher=publisher, worker=worker, now=utcnow() + timedelta(seconds=after),
                           lease=30, limit=limit)


def update_numbers(core: Core, ids: list[int]) -> list[tuple[int, int]]:
    with core.sessions() as session:
        rows = [session.get(Delivery, i) for i in ids]
        return sorted((d.incident_id, d.update.number) for d in rows if d is not None)


def test_only_the_oldest_unsent_delivery_of_each_incident_is_claimable(wcore: Core) -> None:
    """With three updates queued on one incident and one on another, a claim takes only each head."""
    a = kit.post(wcore, None, "A declared")
    kit.post(wcore, a, "A two")
    kit.post(wcore, a, "A three")
    b = kit.post(wcore, None, "B declared")
    assert update_numbers(wcore, claim_now(wcore)) == [(a, 1), (b, 1)]
    assert claim_now(wcore) == []  # both heads are leased; the rest wait behind them
    assert len(claim_now(wcore, "beta")) == 2  # the other publisher's lane is independent


def test_a_lease_hides_a_claim_until_it_runs_out_and_counts_attempts(wcore: Core) -> None:
    """A claimed row is invisible to others during its lease, then claimable again with attempts 2."""
    kit.post(wcore, None, "declared")
    [first] = claim_now(wcore, worker="w1")
    assert claim_now(wcore, worker="w2", after=29) == []
    assert claim_now(wcore, worker="w2", after=31) == [first]
    with wcore.sessions() as session:
        row = session.get(Delivery, first)
        assert row is not None and (row.claimed_by, row.attempts) == ("w2", 2)


def test_release_gives_a_claim_back_without_counting_the_attempt(wcore: Core) -> None:
    """Released claims are due again at once, with the attempt not counted; others' claims are untouched."""
    kit.post(wcore, None, "declared")
    [mine] = claim_now(wcore, worker="w1")
    with db.transaction(wcore.sessions) as session:
        assert claim.release(session, ids=[mine], worker="someone-else") == 0
        assert claim.release(session, ids=[mine], worker="w1") == 1
    assert claim_now(wcore, worker="w2") == [mine]
    with wcore.sessions() as session:
        row = session.get(Delivery, mine)
        assert row is not None and row.attempts == 1


def test_a_retrying_delivery_holds_back_later_ones(wcore: Core) -> None:
    """Update 2 is not claimable while update 1 of the same channel waits for its retry."""
    a = kit.post(wcore, None, "declared")
    kit.post(wcore, a, "two")
    [head] = claim_now(wcore)
    with db.transaction(wcore.sessions) as session:
        row = session.get(Delivery, head)
        assert row is not None
        row.claimed_by, row.claimed_until, row.last_error = None, None, "503"
        row.next_attempt_at = utcnow() + timedelta(minutes=5)
    assert claim_now(wcore) == []


@pytest.mark.parametrize("state", ["failed", "dead"])
def test_a_failed_or_dead_delivery_never_stalls_its_lane(wcore: Core, state: str) -> None:
    """Update 2 goes out while update 1 waits for a person; re-queued, update 1 is claimable again."""
    a = kit.post(wcore, None, "declared")
    kit.post(wcore, a, "two")
    [head] = claim_now(wcore)
    with db.transaction(wcore.sessions) as session:
        row = session.get(Delivery, head)
        assert row is not None
        row.state, row.claimed_by = state, None
    assert update_numbers(wcore, claim_now(wcore)) == [(a, 2)]
    with db.transaction(wcore.sessions) as session:
        assert outbox.requeue(session, incident_id=a, now=utcnow()) == 1
    assert update_numbers(wcore, claim_now(wcore, after=31)) == [(a, 1)]


def test_next_due_is_the_earliest_claimable_instant(wcore: Core) -> None:
    """next_due ignores rows held behind a predecessor and reports a lease's end for claimed rows."""
    a = kit.post(wcore, None, "declared")
    kit.post(wcore, a, "two")
    [head] = claim_now(wcore)
    with wcore.sessions() as session:
        due = claim.next_due(session, publishers=["alpha"], now=utcnow())
        row = session.get(Delivery, head)
        assert row is not None and due == row.claimed_until
        assert claim.next_due(session, publishers=["nobody"], now=utcnow()) is None


def test_postgres_claims_skip_rows_another_worker_has_locked(pg_url: str, tmp_path: Path, rx: Receiver) -> None:
    """While one transaction holds its claim uncommitted, a second claims other rows instead of waiting."""
    core = kit.make_core(kit.settings(pg_url, tmp_path), rx)
    try:
        for n in range(4):
            kit.post(core, None, f"incident {n}")
        with core.sessions() as first, first.begin():
            held = claim.claim(first, publisher="alpha", worker="w1", now=utcnow(), lease=30, limit=2)
            with core.sessions() as second, second.begin():
                second.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail loudly
                other = claim.claim(second, publisher="alpha", worker="w2", now=utcnow(), lease=30, limit=4)
        assert len(held) == 2 and len(other) == 2 and not set(held) & set(other)
    finally:
        core.engine.dispose()

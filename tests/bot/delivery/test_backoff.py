"""The retry delay: full-jitter exponential backoff, or the wait the channel asked for."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.delivery import backoff


def test_full_jitter_stays_under_the_doubling_ceiling() -> None:
    """Each attempt's wait lies in [0, base·2^(n-1)], and later attempts can wait longer."""
    rng = random.Random(1)
    for attempt, ceiling in ((1, 10), (2, 20), (3, 40), (6, 320)):
        waits = [backoff.delay(attempt=attempt, base=10, cap=1800, rng=rng) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # the whole range is used, not a fixed step
    assert len({round(backoff.delay(attempt=3, base=10, cap=1800, rng=rng), 6) for _ in range(20)}) == 20


def test_the_cap_bounds_the_longest_wait() -> None:
    """However many attempts failed, the wait never exceeds the cap."""
    rng = random.Random(2)
    assert all(backoff.delay(attempt=40, base=10, cap=60, rng=rng) <= 60 for _ in range(100))


def test_retry_after_is_honoured_exactly_but_capped() -> None:
    """A channel's Retry-After is used as given (no jitter); an absurd one is cut to the cap."""
    assert backoff.delay(attempt=1, base=10, cap=1800, retry_after=900) == 900
    assert backoff.delay(attempt=5, base=10, cap=1800, retry_after=0.25) == 0.25
    assert backoff.delay(attempt=1, base=10, cap=1800, retry_after=86400) == 1800
    assert backoff.delay(attempt=1, base=10, cap=1800, retry_after=-3) == 0


def test_next_attempt_is_now_plus_the_delay() -> None:
    """The next attempt's instant is an aware UTC time that far after now."""
    now = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)
    assert backoff.next_attempt(now=now, attempt=2, base=10, cap=60, retry_after=30) == now + timedelta(seconds=30)


def test_the_floor_keeps_a_retry_from_racing_a_request_still_in_flight() -> None:
    """Jittered waits never fall below the floor (one request timeout); a channel's own wait is exact."""
    rng = random.Random(3)
    assert min(backoff.delay(attempt=1, base=10, cap=1800, floor=15, rng=rng) for _ in range(100)) == 15
    assert backoff.delay(attempt=1, base=10, cap=1800, floor=15, retry_after=2) == 2

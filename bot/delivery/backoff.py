"""When to try a failed delivery again: exponential backoff with full jitter, or what the channel asked.

Retry libraries (tenacity, stamina) drive a retry loop inside one process; a delivery's next attempt
is instead a row in the outbox that any worker may pick up later, so all we need is the delay.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def delay(*, attempt: int, base: float, cap: float, retry_after: float | None = None, floor: float = 0.0,
          rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 = the first try).

    A channel's own wait (Retry-After, x-rate-limit-reset, wait_seconds) is honoured as given, capped
    at `cap`; otherwise the wait is uniform in [0, min(cap, base·2^(attempt-1))] ("full jitter"), so
    workers that failed together do not come back together, but never shorter than `floor`: a
    request that timed out may still be landing, and the retry must come late enough to see it.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return max(floor, (rng or random).uniform(0.0, ceiling))


def next_attempt(*, now: datetime, attempt: int, base: float, cap: float, retry_after: float | None = None,
                 floor: float = 0.0, rng: random.Random | None = None) -> datetime:
    """The instant of the next attempt after failed attempt number `attempt`."""
    wait = delay(attempt=attempt, base=base, cap=cap, retry_after=retry_after, floor=floor, rng=rng)
    return now + timedelta(seconds=wait)

"""The history's months: how many incidents each holds, and which months a month page links to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from publishers.statuspage.days import month_key


def counts(starts: Iterable[datetime], zone: str) -> dict[str, int]:
    """Incidents and windows per local month (`2010-06` → 3), by when they began."""
    return dict(Counter(month_key(at, zone) for at in starts))


def neighbours(key: str, keys: Iterable[str]) -> tuple[str | None, str | None]:
    """The months with a page just before and just after `key` (None at either end)."""
    ordered = sorted(set(keys) | {key})
    at = ordered.index(key)
    return (ordered[at - 1] if at > 0 else None), (ordered[at + 1] if at + 1 < len(ordered) else None)

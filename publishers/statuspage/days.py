"""Local days and months in the display zone, as UTC bounds for queries and grouping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Span:
    """A local day or month: its key (`2010-09-02`, `2010-09`) and its UTC bounds [start, end)."""

    key: str
    start: datetime
    end: datetime

    def holds(self, at: datetime | None) -> bool:
        """True when instant `at` falls inside."""
        return at is not None and self.start <= at < self.end


def _midnight(day: date, zone: str) -> datetime:
    """The UTC instant the local `day` begins in `zone`."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_date(at: datetime, zone: str) -> date:
    """The date instant `at` falls on in `zone`."""
    return at.astimezone(ZoneInfo(zone)).date()


def day(d: date, zone: str) -> Span:
    """The local day `d`."""
    return Span(d.isoformat(), _midnight(d, zone), _midnight(d + timedelta(days=1), zone))


def past_days(now: datetime, zone: str, count: int = 14) -> list[Span]:
    """The last `count` local days, today first."""
    today = local_date(now, zone)
    return [day(today - timedelta(days=n), zone) for n in range(count)]


def month_key(at: datetime, zone: str) -> str:
    """`2010-09`: the local month instant `at` falls in."""
    return local_date(at, zone).strftime("%Y-%m")


def month(key: str, zone: str) -> Span:
    """The local month `2010-09`."""
    first = date.fromisoformat(f"{key}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Span(key, _midnight(first, zone), _midnight(following, zone))

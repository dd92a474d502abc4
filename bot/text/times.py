"""The one time formatter (SPEC §4); templates reach it through `register_filters` (parsing: bot.text.timeparse).

Formatting rules, for a `Clock` (display zone, 12- or 24-hour):
- An instant reads `2010-09-02 02:03 PDT (09:03 UTC)`: local date, local time, the zone abbreviation
  valid at that instant (`UTC+04:00` where the tz database has only numbers), then UTC, 24-hour.
- A range writes the end's local date only when it differs from the start's, and the start's
  abbreviation only when it differs from the end's; the end always carries its abbreviation.
- The UTC part carries a date when the UTC start date differs from the local start date, and both UTC
  ends carry dates when the UTC range spans two dates.
- Ends are joined by `–` when the dash sits between two bare times, by ` – ` otherwise.
- When the local part already reads UTC (display zone UTC), the parenthesis is dropped.
- 12-hour clock: `2:03am`; seconds are never shown (truncated, not rounded).
Every datetime given must be timezone-aware; naive ones raise ValueError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import jinja2


@dataclass(frozen=True)
class Clock:
    """Display settings: the IANA zone (HERALD_TIMEZONE) and 12- or 24-hour clock (HERALD_CLOCK)."""

    zone: str = "UTC"
    hours: int = 24

    def __post_init__(self) -> None:
        """Refuse a clock that is neither 12 nor 24 hours, or a zone the tz database lacks."""
        if self.hours not in (12, 24):
            raise ValueError(f"clock hours must be 12 or 24, not {self.hours}")
        try:
            ZoneInfo(self.zone)
        except (KeyError, ValueError):
            raise ValueError(f"unknown time zone {self.zone!r}") from None


def in_zone(at: datetime, zone: str) -> datetime:
    """The aware datetime `at` seen in `zone`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: Herald keeps datetimes UTC-aware")
    # zoneinfo converts ~50x faster than pendulum and sets `fold` the same way (PEP 495).
    return at.astimezone(ZoneInfo(zone))


def clock_time(wall: datetime, hours: int) -> str:
    """`14:03` on a 24-hour clock, `2:03pm` on a 12-hour one."""
    if hours == 12:
        return f"{wall.hour % 12 or 12}:{wall.minute:02d}{'am' if wall.hour < 12 else 'pm'}"
    return f"{wall.hour:02d}:{wall.minute:02d}"


def _join(head: str, tail: str, *, bare: bool) -> str:
    """Join two ends with an en dash, spaced unless it sits between two bare times."""
    return f"{head}–{tail}" if bare else f"{head} – {tail}"


def _offset_label(offset: timedelta) -> str:
    """`UTC+04:00` for an offset the tz database has no letters for."""
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"


def zone_abbreviation(at: datetime, zone: str) -> str:
    """The tz database's letters for `zone` at instant `at`, or `UTC+04:00` where it has only numbers."""
    return zone_letters(in_zone(at, zone))


def zone_letters(local: datetime) -> str:
    """The abbreviation an aware datetime carries as it stands (its own fold, no conversion)."""
    name, offset = local.tzname() or "", local.utcoffset()
    return name if name.isalpha() or offset is None else _offset_label(offset)


def _utc_part(start: datetime, end: datetime | None, local_day: date) -> str:
    """The parenthesised UTC reading of an instant or range whose local start date is `local_day`."""
    first = in_zone(start, "UTC")
    last = first if end is None else in_zone(end, "UTC")
    spans = last.date() != first.date()
    head = (f"{first.date()} " if spans or first.date() != local_day else "") + clock_time(first, 24)
    if end is None:
        return f"({head} UTC)"
    tail = (f"{last.date()} " if spans else "") + clock_time(last, 24)
    return f"({_join(head, tail, bare=not spans)} UTC)"


def format_instant(at: datetime, clock: Clock) -> str:
    """One instant: `2010-09-02 02:03 PDT (09:03 UTC)`."""
    local, letters = in_zone(at, clock.zone), zone_abbreviation(at, clock.zone)
    text = f"{local.date()} {clock_time(local, clock.hours)} {letters}"
    return text if letters == "UTC" else f"{text} {_utc_part(at, None, local.date())}"


def format_since(start: datetime, clock: Clock) -> str:
    """An open range: `since 2010-09-02 02:03 PDT (09:03 UTC)`."""
    return f"since {format_instant(start, clock)}"


def format_range(start: datetime, end: datetime | None, clock: Clock) -> str:
    """A range: `2010-09-02 02:03–02:10 PDT (09:03–09:10 UTC)`; an open one reads `since …`."""
    if end is None:
        return format_since(start, clock)
    first, last = in_zone(start, clock.zone), in_zone(end, clock.zone)
    letters = zone_abbreviation(start, clock.zone), zone_abbreviation(end, clock.zone)
    same_letters, same_day = letters[0] == letters[1], first.date() == last.date()
    head = f"{first.date()} {clock_time(first, clock.hours)}" + ("" if same_letters else f" {letters[0]}")
    tail = ("" if same_day else f"{last.date()} ") + clock_time(last, clock.hours)
    text = f"{_join(head, tail, bare=same_letters and same_day)} {letters[1]}"
    if letters == ("UTC", "UTC"):
        return text
    return f"{text} {_utc_part(start, end, first.date())}"


def format_duration(delta: timedelta) -> str:
    """`7 min`, `1 h 47 min`, `2 d 3 h`: truncated to whole minutes, two units at most, `0 min` under 1."""
    if delta < timedelta(0):
        raise ValueError(f"negative duration {delta}")
    days, rest = divmod(int(delta.total_seconds()) // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_date(at: datetime, clock: Clock) -> str:
    """The local date, `2010-09-02`, for grouping by day."""
    return in_zone(at, clock.zone).date().isoformat()


def format_local_time(at: datetime, clock: Clock) -> str:
    """The bare local time, `02:03` or `2:03am`, for compact lists."""
    return clock_time(in_zone(at, clock.zone), clock.hours)


_DATE = re.compile(r"\(?\d{4}-\d{2}-\d{2}")


def line_units(text: str) -> list[str]:
    """A formatted time string cut where a line may break: at the spaces that join its parts, but never
    inside a date and its time (`2010-06-22 06:15`), so pages wrap `… (2010-06-21 20:28 – 2010-06-22 06:15 UTC)`
    between whole readings, not mid-date. Joined with single spaces, the units are `text` again."""
    units: list[str] = []
    for word in text.split(" "):
        if units and _DATE.fullmatch(units[-1]):
            units[-1] = f"{units[-1]} {word}"
        else:
            units.append(word)
    return units


def isoformat(at: datetime) -> str:
    """RFC 3339 in UTC to the second, `2010-09-02T09:03:00Z`, for `<time datetime>`, JSON and Atom."""
    return in_zone(at, "UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def to_zone_iso(at: datetime, zone: str) -> str:
    """RFC 3339 with the local offset, `2010-09-02T02:03:00-07:00`, as Statuspage JSON uses."""
    return datetime.isoformat(in_zone(at, zone).replace(microsecond=0), timespec="seconds")


def register_filters(env: jinja2.Environment, clock: Clock) -> None:
    """Add the filters instant, range, since, duration, localdate, localtime, iso, zoneiso and line_units."""
    env.filters.update(
        instant=partial(format_instant, clock=clock),
        range=partial(format_range, clock=clock),
        since=partial(format_since, clock=clock),
        duration=format_duration,
        localdate=partial(format_date, clock=clock),
        localtime=partial(format_local_time, clock=clock),
        iso=isoformat,
        zoneiso=lambda at, zone=clock.zone: to_zone_iso(at, zone),
        line_units=line_units,
    )

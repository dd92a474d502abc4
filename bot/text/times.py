"""The one time formatter and the time parser (SPEC §4); templates reach it through `register_filters`.

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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import partial
from zoneinfo import ZoneInfo

import jinja2

from bot.errors import TimeError

FORMS = (
    "Write a time like 14:44, 2:44pm or 2010-09-02 14:44, optionally followed by UTC, an offset "
    "(+05:30, -0700, Z), an abbreviation of the display zone (PST) or a zone name (Europe/London)."
)
_PATTERN = re.compile(
    r"(?:(?P<date>\d{4}-\d{2}-\d{2})[ T])?"
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r" ?(?P<meridiem>[ap]\.?m\.?)?"
    r"(?: ?(?P<zone>(?:UTC|GMT)?[+-]\d{2}(?::?\d{2})?|[A-Z][A-Z0-9_+/-]*))?",
    re.IGNORECASE,
)
_OFFSET = re.compile(r"(?:UTC|GMT)?(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})?", re.IGNORECASE)


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


def _local(at: datetime, zone: str) -> datetime:
    """The aware datetime `at` seen in `zone`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: Herald keeps datetimes UTC-aware")
    # zoneinfo converts ~50x faster than pendulum and sets `fold` the same way (PEP 495).
    return at.astimezone(ZoneInfo(zone))


def _clock_time(wall: datetime, hours: int) -> str:
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
    return _letters(_local(at, zone))


def _letters(local: datetime) -> str:
    """The abbreviation an aware datetime carries as it stands (its own fold, no conversion)."""
    name, offset = local.tzname() or "", local.utcoffset()
    return name if name.isalpha() or offset is None else _offset_label(offset)


def _utc_part(start: datetime, end: datetime | None, local_day: date) -> str:
    """The parenthesised UTC reading of an instant or range whose local start date is `local_day`."""
    first = _local(start, "UTC")
    last = first if end is None else _local(end, "UTC")
    spans = last.date() != first.date()
    head = (f"{first.date()} " if spans or first.date() != local_day else "") + _clock_time(first, 24)
    if end is None:
        return f"({head} UTC)"
    tail = (f"{last.date()} " if spans else "") + _clock_time(last, 24)
    return f"({_join(head, tail, bare=not spans)} UTC)"


def format_instant(at: datetime, clock: Clock) -> str:
    """One instant: `2010-09-02 02:03 PDT (09:03 UTC)`."""
    local, letters = _local(at, clock.zone), zone_abbreviation(at, clock.zone)
    text = f"{local.date()} {_clock_time(local, clock.hours)} {letters}"
    return text if letters == "UTC" else f"{text} {_utc_part(at, None, local.date())}"


def format_since(start: datetime, clock: Clock) -> str:
    """An open range: `since 2010-09-02 02:03 PDT (09:03 UTC)`."""
    return f"since {format_instant(start, clock)}"


def format_range(start: datetime, end: datetime | None, clock: Clock) -> str:
    """A range: `2010-09-02 02:03–02:10 PDT (09:03–09:10 UTC)`; an open one reads `since …`."""
    if end is None:
        return format_since(start, clock)
    first, last = _local(start, clock.zone), _local(end, clock.zone)
    letters = zone_abbreviation(start, clock.zone), zone_abbreviation(end, clock.zone)
    same_letters, same_day = letters[0] == letters[1], first.date() == last.date()
    head = f"{first.date()} {_clock_time(first, clock.hours)}" + ("" if same_letters else f" {letters[0]}")
    tail = ("" if same_day else f"{last.date()} ") + _clock_time(last, clock.hours)
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
    return _local(at, clock.zone).date().isoformat()


def format_local_time(at: datetime, clock: Clock) -> str:
    """The bare local time, `02:03` or `2:03am`, for compact lists."""
    return _clock_time(_local(at, clock.zone), clock.hours)


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
    return _local(at, "UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def to_zone_iso(at: datetime, zone: str) -> str:
    """RFC 3339 with the local offset, `2010-09-02T02:03:00-07:00`, as Statuspage JSON uses."""
    return datetime.isoformat(_local(at, zone).replace(microsecond=0), timespec="seconds")


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


def parse_time(text: str, *, clock: Clock, now: datetime, after: datetime | None = None) -> datetime:
    """Read a time a person wrote (see FORMS) as UTC.

    A time without a date means `now`'s date in its zone; with `after`, it means its first occurrence
    at or after `after` instead (today if still ahead, else the next day), found on the wall clock of
    its zone, so the answer is right across a change of DST.
    """
    match = _PATTERN.fullmatch(" ".join(text.split()))
    if match is None:
        raise TimeError(f"Can't read {text.strip()!r} as a time. {FORMS}")
    home, written = ZoneInfo(clock.zone), match["zone"]
    zone = _written_zone(written)
    today = _local(after or now, "UTC").astimezone(zone or home).date()
    wall = _wall_time(match, today=today, text=text)

    def instant(wall: datetime) -> datetime:
        """The UTC instant `wall` names in the written zone, or the display zone."""
        if isinstance(zone, ZoneInfo):
            return _resolve(wall, zone, clock)
        if zone is not None:
            return wall.replace(tzinfo=zone).astimezone(UTC)
        if written:
            return (wall - _abbreviation_offset(written, wall, home)).replace(tzinfo=UTC)
        return _resolve(wall, home, clock)

    if after is None or match["date"]:
        return instant(wall)
    dst = zone if isinstance(zone, ZoneInfo) else None if zone or written else home
    return _next_occurrence(wall, after, dst, instant)


def _next_occurrence(wall: datetime, after: datetime, zone: ZoneInfo | None,
                     instant: Callable[[datetime], datetime]) -> datetime:
    """The first reading of wall time `wall`, on its day or a later one, at or after `after`.

    In a zone with DST (`zone`; None for a fixed offset) a wall time can name two instants on one day
    (fall back) or none (spring forward). A day whose every reading is past is skipped; where one
    reading of a repeated hour is past and the other ahead, the one ahead is next; otherwise `instant`
    decides, and refuses a wall time that does not exist or is ambiguous, naming both readings.
    """
    for days in range(2):
        candidate = wall + timedelta(days=days)
        readings = [instant(candidate)] if zone is None else [
            candidate.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
        ahead = [reading for reading in readings if reading >= after]
        if len(ahead) == 1 < len(readings) and ahead[0].astimezone(zone).replace(tzinfo=None) == candidate:
            return ahead[0]
        if ahead:
            return instant(candidate)
    return instant(wall + timedelta(days=2))  # not reached: the next day's reading is always ahead


def _written_zone(written: str | None) -> tzinfo | None:
    """The zone an offset, `Z`, `UTC`/`GMT` or IANA name stands for; None for none or an abbreviation."""
    if not written:
        return None
    if written.upper() in ("Z", "UTC", "GMT"):
        return UTC
    if offset := _OFFSET.fullmatch(written):
        minutes = int(offset["hours"]) * 60 + int(offset["minutes"] or 0)
        if minutes >= 24 * 60:
            raise TimeError(f"{written} is not a UTC offset. {FORMS}")
        return timezone(timedelta(minutes=-minutes if offset["sign"] == "-" else minutes))
    if "/" not in written:
        return None
    try:
        return ZoneInfo(written)
    except (KeyError, ValueError):
        raise TimeError(f"{written} is not a time zone name. {FORMS}") from None


def _wall_time(match: re.Match[str], *, today: date, text: str) -> datetime:
    """The naive wall-clock datetime the date and time fields name."""
    hour, minute, second = int(match["hour"]), int(match["minute"] or 0), int(match["second"] or 0)
    meridiem = (match["meridiem"] or "").lower()[:1]
    if meridiem and not 1 <= hour <= 12 or not meridiem and match["minute"] is None:
        raise TimeError(f"Can't read {text.strip()!r} as a time. {FORMS}")
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    try:
        day = date.fromisoformat(match["date"]) if match["date"] else today
        return datetime.combine(day, time(hour, minute, second))
    except ValueError:
        raise TimeError(f"{text.strip()!r} is not a real date and time. {FORMS}") from None


def _abbreviation_offset(written: str, wall: datetime, zone: ZoneInfo) -> timedelta:
    """The offset an abbreviation of `zone` stands for in `wall`'s year (PST is -08:00 even in July)."""
    readings = [wall.replace(tzinfo=zone, fold=fold) for fold in (0, 1)]
    # Sampling twice a month meets every abbreviation the zone uses that year, summer and winter alike.
    readings += [datetime(wall.year, month, day, tzinfo=zone) for month in range(1, 13) for day in (1, 16)]
    offsets: dict[str, timedelta] = {}
    for reading in readings:
        offset = reading.utcoffset()
        if offset is not None:
            offsets.setdefault(_letters(reading).upper(), offset)
    if written.upper() not in offsets:
        valid = ", ".join(sorted(offsets))
        raise TimeError(f"{written} is not an abbreviation used in {zone.key} (it uses {valid}). {FORMS}")
    return offsets[written.upper()]


def _resolve(wall: datetime, zone: ZoneInfo, clock: Clock) -> datetime:
    """The one instant `wall` names in `zone`; refuse wall times that never happen or happen twice."""
    early, late = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(UTC)
    shown, where = _clock_time(wall, clock.hours), f"on {wall.date()} in {zone.key}"
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        raise TimeError(
            f"{shown} happens twice {where}: write {shown} {_letters(early)} or {shown} {_letters(late)}"
        )
    jump = _transition(late.astimezone(UTC), early.astimezone(UTC), zone)
    before = f"{_clock_time(jump + (early.utcoffset() or timedelta(0)), clock.hours)} {_letters(early)}"
    after = f"{_clock_time(jump.astimezone(zone), clock.hours)} {_letters(late)}"
    sooner, later = (_zone_reading(reading.astimezone(UTC), zone, clock) for reading in (late, early))
    raise TimeError(
        f"{shown} does not exist {where} (clocks jump from {before} to {after}): write {sooner} or {later}"
    )


def _zone_reading(at: datetime, zone: ZoneInfo, clock: Clock) -> str:
    """`01:30 PST`: the local time and letters of instant `at` in `zone`."""
    return f"{_clock_time(at.astimezone(zone), clock.hours)} {zone_abbreviation(at, zone.key)}"


def _transition(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant, to within a second, in (low, high] where `zone`'s offset changes."""
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high

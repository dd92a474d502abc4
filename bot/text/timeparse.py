"""Reading a time a person wrote (`--at`, `--from`, `--to`) as a UTC instant, in the display zone unless it
says otherwise; wall times that never happen (spring forward) or happen twice (fall back) are refused
with both readings named, in the formatter's words (bot.text.times).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from bot.errors import TimeError
from bot.text.times import Clock, clock_time, in_zone, zone_abbreviation, zone_letters
from bot.text.zones import twice_a_month

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
YEARS = (1970, 2999)  # the years a written time may name
_OFFSET = re.compile(r"(?:UTC|GMT)?(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})?", re.IGNORECASE)


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
    today = in_zone(after or now, "UTC").astimezone(zone or home).date()
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
        wall = datetime.combine(day, time(hour, minute, second))
    except ValueError:
        raise TimeError(f"{text.strip()!r} is not a real date and time. {FORMS}") from None
    if not YEARS[0] <= wall.year <= YEARS[1]:  # zones have no rules there (LMT), and conversions overflow
        raise TimeError(f"{text.strip()!r} is outside the years Herald places times in ({YEARS[0]}–{YEARS[1]}).")
    return wall


def _abbreviation_offset(written: str, wall: datetime, zone: ZoneInfo) -> timedelta:
    """The offset an abbreviation of `zone` stands for in `wall`'s year (PST is -08:00 even in July)."""
    readings = [wall.replace(tzinfo=zone, fold=fold) for fold in (0, 1)] + twice_a_month(wall.year, zone)
    offsets: dict[str, timedelta] = {}
    for reading in readings:
        offset = reading.utcoffset()
        if offset is not None:
            offsets.setdefault(zone_letters(reading).upper(), offset)
    if written.upper() not in offsets:
        valid = ", ".join(sorted(offsets))
        raise TimeError(f"{written} is not an abbreviation used in {zone.key} (it uses {valid}). {FORMS}")
    return offsets[written.upper()]


def _resolve(wall: datetime, zone: ZoneInfo, clock: Clock) -> datetime:
    """The one instant `wall` names in `zone`; refuse wall times that never happen or happen twice."""
    early, late = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(UTC)
    shown, where = clock_time(wall, clock.hours), f"on {wall.date()} in {zone.key}"
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        raise TimeError(
            f"{shown} happens twice {where}: write {shown} {zone_letters(early)} or {shown} {zone_letters(late)}"
        )
    jump = _transition(late.astimezone(UTC), early.astimezone(UTC), zone)
    before = f"{clock_time(jump + (early.utcoffset() or timedelta(0)), clock.hours)} {zone_letters(early)}"
    after = f"{clock_time(jump.astimezone(zone), clock.hours)} {zone_letters(late)}"
    sooner, later = (_zone_reading(reading.astimezone(UTC), zone, clock) for reading in (late, early))
    raise TimeError(
        f"{shown} does not exist {where} (clocks jump from {before} to {after}): write {sooner} or {later}"
    )


def _zone_reading(at: datetime, zone: ZoneInfo, clock: Clock) -> str:
    """`01:30 PST`: the local time and letters of instant `at` in `zone`."""
    return f"{clock_time(at.astimezone(zone), clock.hours)} {zone_abbreviation(at, zone.key)}"


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

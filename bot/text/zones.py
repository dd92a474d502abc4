"""The tz database's zone letters (PDT, CEST, IST), the one place Herald looks them up by sampling zones.

`twice_a_month(year)` is what the grammar and the time parser sample to meet every abbreviation of a
year; `letters_in_use()` is the set the grammar accepts as a time's zone; `zones_json()` is the data
for the status page's "Show times in my time zone" script:

A browser names zones in its reader's locale (`MESZ`, `GMT+2`, `CEST` for the same instant), so the script
takes its letters from this file instead, generated from Python's zoneinfo exactly as bot/text/times.py reads
them: for each zone, the letters it uses for each UTC offset, in eras that begin where one offset
changes letters (America/Cancun: -05:00 read CDT until 2015, EST since). Offsets come from the browser
(Intl); an offset with no letters here reads `UTC+04:00`, as the server writes it. Zones that are links
to another zone (Asia/Calcutta, which Chromium reports, to Asia/Kolkata) name their target.

Shape: {"zones": {name: [[era start, Unix seconds or null, {offset minutes: letters}], …] or a name}}.
"""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

FIRST_YEAR, LAST_YEAR = 1970, 2037  # Unix time to the end of 32-bit time: what a status page can show
Era = tuple[int | None, dict[str, str]]


def _samples(days: tuple[tuple[int, int], ...]) -> list[datetime]:
    """Midnight UTC on each (month, day) of every year."""
    return [datetime(year, month, day, tzinfo=UTC) for year in range(FIRST_YEAR, LAST_YEAR + 1)
            for month, day in days]


def twice_a_month(year: int, zone: zoneinfo.ZoneInfo | None = None) -> list[datetime]:
    """Midnight on the 1st and 16th of each month of `year` (UTC, or local to `zone`): a sample of instants
    that meets every abbreviation a zone uses in a year, summer and winter alike."""
    return [datetime(year, month, day, tzinfo=zone or UTC) for month in range(1, 13) for day in (1, 16)]


@cache
def letters_in_use() -> frozenset[str]:
    """Upper-case zone abbreviations in use this year in any zone (PDT, CEST, MSK)."""
    # A fixed list, not "any 2-5 capitals": "--at 14:02 DNS is failing" must leave DNS in the message.
    samples = twice_a_month(datetime.now(UTC).year)
    names: set[str] = set()
    for key in zoneinfo.available_timezones():
        zone = zoneinfo.ZoneInfo(key)
        names.update(sample.astimezone(zone).tzname() or "" for sample in samples)
    return frozenset(name for name in names if name.isalpha() and name.isupper())


OFTEN = _samples(tuple((month, day) for month in range(1, 13) for day in (1, 16)))  # meets every period of 2+ weeks
SELDOM = _samples(((1, 1), (4, 1), (7, 1), (10, 1)))  # enough to tell a zone that has letters at all


def _reading(at: datetime, zone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    """(offset in minutes, letters or "") of `zone` at instant `at`."""
    local = at.astimezone(zone)
    offset, name = local.utcoffset() or timedelta(0), local.tzname() or ""
    return str(int(offset.total_seconds()) // 60), name if name.isalpha() else ""


def _change(low: datetime, high: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant, to the minute, in (low, high] where `zone`'s reading changes."""
    before = _reading(low, zone)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        low, high = (middle, high) if _reading(middle, zone) == before else (low, middle)
    return high


def eras(zone: zoneinfo.ZoneInfo, samples: list[datetime]) -> list[Era]:
    """The zone's letters per offset, a new era wherever an offset's letters change."""
    found: list[Era] = [(None, {})]
    previous = samples[0]
    for at in samples:
        offset, letters = _reading(at, zone)
        mapping = found[-1][1]
        if letters and mapping.get(offset, letters) != letters:
            start = _change(previous, at, zone)
            found.append((int(start.timestamp()), {offset: letters}))
        elif letters:
            mapping[offset] = letters
        previous = at
    return [era for era in found if era[1]]


def _source(name: str) -> bytes:
    """The zone's TZif file, to recognise links (the same file under two names); b"" if not found."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder, name)
        if path.is_file():
            return path.read_bytes()
    return b""


@cache
def zones_json() -> bytes:
    """Every zone's letters as compact JSON (about 20 KB); computed once per process."""
    zones: dict[str, object] = {}
    seen: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones()):
        source = _source(name)
        key = hashlib.sha1(source).hexdigest() if source else name
        if key in seen:
            zones[name] = seen[key]
            continue
        zone = zoneinfo.ZoneInfo(name)
        found = eras(zone, OFTEN) if any(_reading(at, zone)[1] for at in SELDOM) else []
        if found:
            zones[name] = [[start, mapping] for start, mapping in found]
        seen[key] = name
    zones = {name: value for name, value in zones.items() if not isinstance(value, str) or value in zones}
    return json.dumps({"zones": zones}, separators=(",", ":"), sort_keys=True).encode("utf-8")

"""Uptime per component from the recorded component moves (pure computation, no database, no I/O).

A component's status at an instant is the worst of the statuses the live incidents give it, as
`bot.domain.writes.refresh_component_statuses` keeps it; each update records its moves at its display time,
so the history is replayed from those moves. Time is weighed as Statuspage weighs it:

- `major_outage` counts fully as downtime, `partial_outage` as 0.3 of its time, `degraded_performance` as 0;
- `under_maintenance` time is left out of the denominator (announced work is not unreliability);
- time before the component was first known is not counted: its bar starts "since" that day.

Days are the display zone's local days, so a day across a clock change lasts 23 or 25 hours.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.vocabulary import SEVERITY, worst

DAYS = 90
WEIGHTS = {"major_outage": 1.0, "partial_outage": 0.3, "degraded_performance": 0.0, "operational": 0.0}
EXCLUDED = "under_maintenance"


@dataclass(frozen=True)
class Move:
    """One incident giving one component a status at an instant (`operational`: it no longer affects it)."""

    at: datetime
    incident_id: int
    component: str
    status: str
    title: str = ""


@dataclass(frozen=True)
class Segment:
    """An interval [start, end) with one status and the incidents that gave it."""

    start: datetime
    end: datetime
    status: str
    incidents: tuple[int, ...]


@dataclass(frozen=True)
class Day:
    """One local day of a component's bar."""

    date: date
    start: datetime
    end: datetime
    counted: float  # seconds that count (known, not in maintenance, not in the future)
    lost: float  # weighted seconds of downtime
    seconds: dict[str, float]  # status → seconds, for every status but operational
    incidents: tuple[int, ...]

    @property
    def known(self) -> bool:
        """False for a day before the component was known (or after now)."""
        return self.counted > 0 or bool(self.seconds)

    @property
    def worst(self) -> str:
        """The worst status the component had that day."""
        return worst(self.seconds)

    @property
    def ratio(self) -> float | None:
        """The day's uptime as a fraction, None when nothing was counted."""
        return None if self.counted <= 0 else 1 - self.lost / self.counted


@dataclass(frozen=True)
class Uptime:
    """A component's last `DAYS` local days, oldest first, and its uptime over them."""

    component: str
    since: date  # the first day counted
    days: tuple[Day, ...]

    @property
    def ratio(self) -> float | None:
        """Uptime over the whole window as a fraction, None when nothing was counted."""
        counted = sum(d.counted for d in self.days)
        return None if counted <= 0 else 1 - sum(d.lost for d in self.days) / counted

    @property
    def percent(self) -> float | None:
        """Uptime in percent, rounded to two decimals (as Statuspage shows it)."""
        ratio = self.ratio
        return None if ratio is None else round(ratio * 100, 2)

    @property
    def partial(self) -> bool:
        """True when the component is younger than the window."""
        return bool(self.days) and self.since > self.days[0].date


@functools.lru_cache(maxsize=4096)  # every component's bar asks for the same 90 days
def local_day(d: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC bounds [start, end) of the local day `d` in `zone` (23 or 25 hours across a clock change)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)
    return start, datetime.combine(d + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def window_start(now: datetime, zone: str, days: int = DAYS) -> datetime:
    """The UTC instant the window of the last `days` local days (today included) begins."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return local_day(today - timedelta(days=days - 1), zone)[0]


def segments(moves: Iterable[Move], *, start: datetime, end: datetime) -> list[Segment]:
    """One component's statuses over [start, end), replaying its `moves` (earlier ones set the state at start)."""
    state: dict[int, str] = {}
    found: list[Segment] = []
    at = start
    for move in sorted(moves, key=lambda m: m.at):
        if move.at > at:
            found.append(_segment(state, at, min(move.at, end)))
            at = move.at
        if at >= end:
            break
        if move.status == "operational":
            state.pop(move.incident_id, None)
        else:
            state[move.incident_id] = move.status
    if at < end:
        found.append(_segment(state, at, end))
    return [s for s in found if s.end > s.start and s.end > start]


def _segment(state: dict[int, str], start: datetime, end: datetime) -> Segment:
    """The segment [start, end) under the incidents' current statuses."""
    return Segment(start, end, worst(state.values()), tuple(sorted(state)))


def day_of(d: date, spans: list[Segment], zone: str, *, known_from: datetime, now: datetime) -> Day:
    """Day `d` of a component: what it had, how long, and how much of it counts."""
    day_start, day_end = local_day(d, zone)
    lo, hi = max(day_start, known_from), min(day_end, now)
    seconds: dict[str, float] = {}
    incidents: set[int] = set()
    counted = lost = 0.0
    for s in spans:
        length = (min(s.end, hi) - max(s.start, lo)).total_seconds()
        if length <= 0:
            continue
        if s.status != "operational":
            seconds[s.status] = seconds.get(s.status, 0.0) + length
            incidents.update(s.incidents)
        if s.status != EXCLUDED:
            counted += length
            lost += WEIGHTS[s.status] * length
    ordered = {k: seconds[k] for k in SEVERITY if k in seconds}
    return Day(d, day_start, day_end, counted, lost, ordered, tuple(sorted(incidents)))


def uptime(component: str, moves: Iterable[Move], *, known_from: datetime, now: datetime, zone: str,
           days: int = DAYS) -> Uptime:
    """`component`'s uptime over the last `days` local days in `zone`, from every move that concerns it."""
    mine = [m for m in moves if m.component == component]
    known_from = min([known_from] + [m.at for m in mine])
    start = max(window_start(now, zone, days), known_from)
    spans = segments(mine, start=start, end=now)
    today = now.astimezone(ZoneInfo(zone)).date()
    dates = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    found = tuple(day_of(d, spans, zone, known_from=known_from, now=now) for d in dates)
    since = max(dates[0], known_from.astimezone(ZoneInfo(zone)).date())
    return Uptime(component, since, found)

"""The 90-day uptime bars: each component's `bot.domain.uptime` figures shaped for the page and the JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.domain import reading, uptime
from bot.domain.snapshots import ComponentView


@dataclass(frozen=True)
class Cell:
    """One local day of a bar: its worst status (`unknown` before the component was known), how long each
    status lasted, and the incidents that gave them (number, title)."""

    date: date
    level: str
    ratio: float | None
    spells: tuple[tuple[str, timedelta], ...]
    incidents: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Bar:
    """A component's bar, oldest day first, with its uptime over the window."""

    name: str
    percent: float | None
    since: date
    partial: bool
    cells: tuple[Cell, ...]

    @property
    def noted(self) -> list[Cell]:
        """The days with something other than operational, newest first (the bar's text alternative)."""
        return [c for c in reversed(self.cells) if c.spells]


def read_bars(session: Session, comps: list[ComponentView], *, now: datetime, zone: str) -> dict[str, Bar]:
    """Every component's bar as of `now`, from the moves recorded in the window (and the state before it)."""
    moves = reading.component_moves(session, uptime.window_start(now, zone))
    return compute(comps, moves, now=now, zone=zone)


def compute(comps: list[ComponentView], moves: list[uptime.Move], *, now: datetime, zone: str) -> dict[str, Bar]:
    """Every component's bar from `moves`."""
    titles = {m.incident_id: m.title for m in moves}
    by_component: dict[str, list[uptime.Move]] = {}
    for m in moves:
        by_component.setdefault(m.component, []).append(m)
    found = {}
    for c in comps:
        known = c.created_at or now
        u = uptime.uptime(c.name, by_component.get(c.name, []), known_from=known, now=now, zone=zone)
        found[c.name] = Bar(c.name, u.percent, u.since, u.partial, tuple(_cell(d, titles) for d in u.days))
    return found


def _cell(d: uptime.Day, titles: dict[int, str]) -> Cell:
    """A day as the page shows it."""
    level = d.worst if d.known else "unknown"
    spells = tuple((status, timedelta(seconds=round(s))) for status, s in d.seconds.items())
    return Cell(d.date, level, d.ratio, spells, tuple((n, titles.get(n, "")) for n in d.incidents))


def extension(bars: dict[str, Bar], ids: dict[str, str]) -> dict[str, Any]:
    """The `herald_uptime` object of `components.json`: Herald's own key, beside Statuspage's unchanged ones."""
    return {
        "days": uptime.DAYS,
        "weights": {**uptime.WEIGHTS, uptime.EXCLUDED: None},
        "components": [{
            "id": ids.get(b.name), "name": b.name, "uptime_percent": b.percent, "since": b.since.isoformat(),
            "days": [{"date": c.date.isoformat(), "status": c.level,
                      "uptime_percent": None if c.ratio is None else round(c.ratio * 100, 2),
                      "seconds": {s: int(t.total_seconds()) for s, t in c.spells},
                      "incidents": [str(n) for n, _ in c.incidents]} for c in b.noted],
        } for b in bars.values()],
    }

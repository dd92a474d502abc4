"""`herald demo`: replay the 2010 FoxyCart status history through the real path.

Each entry becomes /incident command text — the same grammar, domain, outbox, worker and publishers
as Slack — executed at its own moment in history, so the status page, the tweet threads and the
forum threads read as they would have had Herald run the page in 2010.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from bot import grammar
from bot.commands import execute
from bot.core import Core
from bot.times import parse_time

ANNOUNCE_AHEAD = timedelta(days=1)  # the seed does not say when windows were announced


@dataclass(frozen=True)
class Step:
    """One command of the replay and the moment it is run."""

    at: datetime
    text: str


def load_history() -> dict[str, Any]:
    """The seed history shipped inside the package."""
    return json.loads((resources.files("bot") / "data" / "foxycart-2010.json").read_text(encoding="utf-8"))


def steps_for(entry: dict[str, Any], number: int, core: Core) -> list[Step]:
    """The commands that tell one entry's story, in time order; `number` is its incident number."""
    def when(local: str) -> datetime:
        return parse_time(local.replace("T", " "), clock=core.clock, now=datetime.now().astimezone())

    start, end = when(entry["starts_local"]), when(entry["ends_local"])
    comps = f' -c {",".join(entry["components"])}' if entry["components"] else ""
    title = " ".join(entry["title"].replace('"', "'").split())
    body = entry.get("body") or ""
    updates = [(when(u["at_local"]) if u.get("at_local") else start + (end - start) / 2, u["text"])
               for u in entry["updates"]]
    at = _stamp(core)
    if entry["kind"] == "maintenance":
        first = min([start - ANNOUNCE_AHEAD] + [t - timedelta(hours=1) for t, _ in updates])
        steps = [Step(first, f'maintenance "{title}" --no-auto --from "{at(start)}" --to "{at(end)}"'
                             f"{comps}" + (f" -m {body}" if body else "")),
                 Step(start, f'start {number} --at "{at(start)}"'),
                 Step(end, f'complete {number} --at "{at(end)}"')]
    else:
        steps = [Step(start, f'open "{title}"{comps} --at "{at(start)}"' + (f" -m {body}" if body else "")),
                 Step(end, f'resolve {number} --at "{at(end)}"')]
    steps += [Step(t, f'update {number} --at "{at(t)}" -m {text}') for t, text in updates]
    return sorted(steps, key=lambda s: (s.at, _order(s.text)))


def _order(text: str) -> int:
    """At the same instant: announce, open or start first, then updates, then resolve or complete."""
    verb = text.split()[0]
    return {"maintenance": 0, "open": 0, "start": 1, "update": 2, "resolve": 3, "complete": 3}[verb]


def _stamp(core: Core) -> Any:
    from bot.times import to_zone_iso

    def at(instant: datetime) -> str:
        # An explicit offset makes every replayed time unambiguous, even in a fall-back hour.
        local = to_zone_iso(instant, core.clock.zone)
        return f"{local[:10]} {local[11:16]} {local[19:]}"
    return at


def replay(core: Core, history: dict[str, Any] | None = None) -> int:
    """Run every entry's commands in time order; returns how many commands ran."""
    history = history or load_history()
    # Numbers follow creation order: a window is announced a day before it starts.
    drafts = [steps_for(e, 0, core) for e in history["incidents"]]
    order = sorted(range(len(drafts)), key=lambda k: drafts[k][0].at)
    entries = [history["incidents"][k] for k in order]
    steps = [s for number, e in enumerate(entries, start=1) for s in steps_for(e, number, core)]
    for step in sorted(steps, key=lambda s: (s.at, _order(s.text))):
        execute(core, grammar.parse(step.text), author="demo", now=step.at + timedelta(minutes=1))
    return len(steps)

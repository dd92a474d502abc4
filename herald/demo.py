"""`herald demo`: replay the 2010 FoxyCart status history through the real path.

Each entry becomes /incident command text — the same grammar, domain, outbox, worker and publishers
as Slack — executed at its own moment in history, so the status page, the tweet threads and the
forum threads read as they would have had Herald run the page in 2010.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.commands import execute
from bot.config import Config
from bot.core import Core
from bot.delivery import claim, deliver, outbox
from bot.delivery.worker import Worker
from bot.domain.models import Delivery, Incident, utcnow
from bot.errors import HeraldError
from bot.store import db
from bot.text import grammar
from bot.text.timeparse import parse_time
from bot.text.times import to_zone_iso
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher

ANNOUNCE_AHEAD = timedelta(days=1)  # the seed does not say when windows were announced
MARK = ".herald-demo"  # the file that says a folder is the demo's to replace


@dataclass(frozen=True)
class Step:
    """One command of the replay and the moment it is run."""

    at: datetime
    text: str


def load_history() -> dict[str, Any]:
    """The seed history shipped inside the package."""
    return json.loads((resources.files("herald") / "data" / "foxycart-2010.json").read_text(encoding="utf-8"))


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


AS_OF = "2010-09-02 08:02 -07:00"  # the seed page was captured then; the site is built as of that moment


def demo_config(base: Config, folder: Path, port: int) -> Config:
    """The demo's settings: a fresh SQLite file, Los Angeles time, 12-hour clock, sandboxed channels."""
    page = load_history()["page"]
    return base.model_copy(update={
        "database_url": f"sqlite:///{folder / 'herald.db'}", "timezone": "America/Los_Angeles", "clock": 12,
        "page_name": page["name"], "components": ",".join(page["components"]), "sandbox": True,
        "site_dir": folder / "site", "sandbox_dir": folder / "sandbox", "publishers": None,
        "public_url": f"http://127.0.0.1:{port}", "templates_dir": None,
    })


def drain(core: Core, *, lanes: Sequence[str] | None = None, timeout: float = 300.0) -> int:
    """Run a worker on `lanes` (default: every channel) until none of theirs is pending or in flight."""
    lanes = list(core.publisher_names if lanes is None else lanes)
    worker = Worker(core, name="demo", lanes=lanes)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.turn()
        if not any(worker.in_flight.values()) and _pending(core, lanes) == 0:
            break
        outbox.wake.wait(0.05)
    return _sent(core)


def settle_site(core: Core, page: StatuspagePublisher, as_of: datetime) -> int:
    """Write the status site once from the replayed data, then record each of its deliveries as sent.

    During a replay every status page delivery would rewrite the site from the same, final data (a
    delivery reads the database when it runs); one build writes the very same files once. Each
    delivery is then claimed, loaded and recorded through the worker's own steps, with the receipt
    its publish returns, so receipts, threads and states are those of a normal run.
    """
    page.build(as_of)
    name = "demo-site"
    while True:
        with db.transaction(core.sessions) as session:
            ids = claim.claim(session, publisher=page.name, worker=name, now=utcnow(),
                              lease=core.config.claim_lease, limit=1000)
        if not ids:  # each round takes the oldest unsent delivery of every incident
            return _sent(core)
        for delivery_id in ids:
            work = deliver.load(core, delivery_id=delivery_id, worker=name)
            if work is not None:
                deliver.record(core, work, page.receipt(work.event), worker=name, now=utcnow())


def _pending(core: Core, lanes: Sequence[str]) -> int:
    with core.sessions() as session:
        return session.scalar(select(func.count(Delivery.id)).where(
            Delivery.state == "pending", Delivery.publisher.in_(lanes))) or 0


def _sent(core: Core) -> int:
    with core.sessions() as session:
        return session.scalar(select(func.count(Delivery.id)).where(Delivery.state == "sent")) or 0


def run_demo(base: Config, *, folder: Path, port: int, history: dict[str, Any] | None = None) -> dict[str, Any]:
    """Replay the history into a fresh database under `folder`, deliver everything, build the site.

    Only a folder the demo made (it holds MARK) is replaced: a real herald.db elsewhere is never touched."""
    if (folder / "herald.db").exists() and not (folder / MARK).exists():
        raise HeraldError(f"{folder} holds a herald.db the demo did not make: choose another folder with --dir")
    for name in ("herald.db", "herald.db-wal", "herald.db-shm"):
        (folder / name).unlink(missing_ok=True)
    for sub in ("site", "sandbox"):
        shutil.rmtree(folder / sub, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARK).write_text("made by `herald demo`, which replaces this folder's herald.db, site and sandbox\n")
    config = demo_config(base, folder, port)
    db.upgrade(config.database_url)
    core = create_core(config)
    phases: dict[str, float] = {}
    with _timed(phases, "replay"):
        commands = replay(core, history)
    page = next((p for p in core.registry.publishers.values() if isinstance(p, StatuspagePublisher)), None)
    as_of = parse_time(AS_OF, clock=core.clock, now=utcnow())
    with _timed(phases, "channels"):
        sent = drain(core, lanes=[n for n in core.publisher_names if not isinstance(page, StatuspagePublisher)
                                  or n != page.name])
    if isinstance(page, StatuspagePublisher):
        with _timed(phases, "site"):
            sent = settle_site(core, page, as_of)
    with core.sessions() as session:
        kinds = dict(session.execute(select(Incident.kind, func.count()).group_by(Incident.kind)).all())
    return {"commands": commands, "deliveries": sent, "seconds": round(sum(phases.values()), 1),
            "phases": phases, "incidents": kinds.get("incident", 0), "maintenance": kinds.get("maintenance", 0),
            "config": config, "core": core, "channels": core.publisher_names}


@contextmanager
def _timed(phases: dict[str, float], name: str) -> Iterator[None]:
    """Add the seconds the block takes to `phases[name]`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = round(time.perf_counter() - started, 2)

"""Status-site benchmark: full build of a synthetic history, then one incremental update on top.

`python -m bench.site [--quick]` prints the figures; `run(quick)` returns them for bench/__main__.
Full size: 10,000 incidents / 50,000 updates / 30 components (quick: 1,000 / 5,000). One update in
five uses Markdown (emphasis and a link); the others are plain prose, as most status updates are.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.config import load_config
from bot.core import build_core
from bot.domain import service
from bot.domain.models import AffectedComponent, Component, Incident, Update
from bot.plugins.contract import PublisherContext
from bot.store import db
from herald import compression
from publishers.statuspage import StatuspagePublisher

STATUSES = ("investigating", "identified", "monitoring", "monitoring", "resolved")
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def seed(url: str, *, incidents: int, per_incident: int = 5, components: int = 30) -> None:
    """Insert a synthetic history straight into the tables (fast; the domain is not under test here)."""
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Component), [
            {"id": n + 1, "name": f"component-{n:02d}", "status": "operational", "position": n,
             "group": f"Group {n // 10}" if n >= 10 else None, "created_at": NOW, "updated_at": NOW}
            for n in range(components)])
        rows, updates, links = [], [], []
        for n in range(1, incidents + 1):
            start = NOW - timedelta(hours=4 * (incidents - n) + 3)
            rows.append({"id": n, "kind": "incident", "title": f"Elevated errors on component {n % components}",
                         "impact": ("minor", "major", "critical")[n % 3], "status": "resolved",
                         "started_at": start, "resolved_at": start + timedelta(hours=2),
                         "created_at": start, "updated_at": start + timedelta(hours=2)})
            links.append({"incident_id": n, "component_id": n % components + 1, "status": "operational"})
            for k in range(per_incident):
                updates.append({"incident_id": n, "number": k + 1, "status": STATUSES[k % 5],
                                "body": _body(n, k),
                                "display_at": start + timedelta(minutes=25 * k),
                                "created_at": start + timedelta(minutes=25 * k), "event": "update",
                                "revision": 0, "component_changes": []})
        conn.execute(insert(Incident), rows)
        conn.execute(insert(AffectedComponent), links)
        conn.execute(insert(Update), updates)
    engine.dispose()


def _body(n: int, k: int) -> str:
    """Four plain-prose updates and one with Markdown (emphasis and a link) per incident."""
    if k == 2:
        return f"Update {k + 1} on incident {n}: we are *looking* at [the logs](https://example.test/{n})."
    return f"We are investigating elevated errors on component {n % 30} (incident {n}, update {k + 1})."


def measure(incidents: int) -> dict[str, Any]:
    """Build a history of `incidents` incidents, then time a full build and one incremental update."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        db.upgrade(url)
        seed(url, incidents=incidents)
        config = load_config({"DATABASE_URL": url, "HERALD_TIMEZONE": "America/Los_Angeles",
                              "HERALD_COMPONENTS": "", "HERALD_SITE_DIR": f"{tmp}/site",
                              "HERALD_PUBLISHERS": "statuspage"})
        core = build_core(config, load_publishers=False)
        publisher = StatuspagePublisher(_context(core))
        started, cpu = time.perf_counter(), _cpu()
        files = publisher.build(NOW, jobs=os.cpu_count() or 1)
        full, full_cpu = time.perf_counter() - started, _cpu() - cpu
        with db.transaction(core.sessions) as session:
            update = service.declare(session, title="Checkout errors", changes=[("component-03", None)],
                                     impact="major", body="We are investigating.", now=NOW)
        publisher.refresh(update.incident_id, NOW)  # the first refresh in a process warms caches
        with db.transaction(core.sessions) as session:
            service.post_update(session, incident_id=update.incident_id, status="identified",
                                body="The cause is a *full disk*.", now=NOW)
        writes_before = len(publisher.builder.writer.written)
        started, cpu = time.perf_counter(), time.process_time()
        publisher.refresh(update.incident_id, NOW)
        incremental, incremental_cpu = time.perf_counter() - started, time.process_time() - cpu
        site = Path(tmp) / "site"
        front_files = [site / "index.html", *site.glob("assets/*.css"), *site.glob("assets/*.js")]
        front = sum(f.stat().st_size for f in front_files)
        front_br = sum(len(compression.compress(f.read_bytes(), "br")) for f in front_files)  # as served
        core.engine.dispose()
        return {"incidents": incidents, "updates": incidents * 5, "full_build_s": round(full, 3),
                "full_build_cpu_s": round(full_cpu, 3), "jobs": os.cpu_count() or 1,
                "files_written": files, "incremental_s": round(incremental, 4),
                "incremental_cpu_s": round(incremental_cpu, 4),
                "incremental_files": len(publisher.builder.writer.written) - writes_before,
                "front_page_bytes": front, "front_page_bytes_brotli": front_br,
                "front_page_requests": 3}


def _cpu() -> float:
    """CPU seconds used by this process and its reaped children (the forked page renderers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _context(core: Any) -> PublisherContext:
    """The context the registry would give the publisher."""
    return core.context  # type: ignore[no-any-return]


def run(quick: bool) -> dict[str, Any]:
    """The figures: at 1,000 incidents, and at 10,000 unless `quick`."""
    sizes = (1_000,) if quick else (1_000, 10_000)
    return {"site": [measure(n) for n in sizes]}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv), indent=2))

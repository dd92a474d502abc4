"""Scheduler benchmark: the cost of an idle `run_due` (paid every worker turn) and of firing windows.

`python -m bench.scheduler [--quick]` prints the figures; `run(quick)` returns them for bench/__main__.
SQLite always; PostgreSQL too when HERALD_BENCH_PG_URL (or 127.0.0.1:5432/test) answers, with three
workers racing over the same instants. Full size: 200 windows (quick: 40), each reminded, started and
completed, with the status page as the one channel (deliveries are queued, not sent).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bot.commands import execute
from bot.config import load_config
from bot.core import Core, build_core
from bot.schedule.scheduler import run_due
from bot.store import db
from bot.text import grammar

T = datetime(2030, 6, 1, 9, tzinfo=UTC)
MIN = timedelta(minutes=1)


def core_for(url: str, folder: Path) -> Core:
    """A Herald on `url` publishing to the status page only."""
    return build_core(load_config({"DATABASE_URL": url, "HERALD_PUBLISHERS": "statuspage",
                                   "HERALD_SITE_DIR": str(folder / "site"), "HERALD_COMPONENTS": "app,admin,www"}))


def schedule(core: Core, windows: int) -> None:
    """`windows` windows, one starting every minute from T, each 10 min long."""
    for n in range(windows):
        start = T + n * MIN
        text_ = f"maintenance W{n} --from {start.isoformat()} --to {(start + 10 * MIN).isoformat()} -c app"
        execute(core, grammar.parse(text_), author="bench", now=T - timedelta(hours=3))


def race(cores: list[Core], windows: int) -> tuple[float, int]:
    """Every core runs run_due at each minute of the span, in lockstep; seconds taken and jobs run."""
    instants = [T + k * MIN for k in range(-61, windows + 11)]
    barrier, ran = threading.Barrier(len(cores)), [0] * len(cores)

    def loop(i: int) -> None:
        for now in instants:
            barrier.wait(timeout=60)
            ran[i] += run_due(cores[i], now=now)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(cores))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, sum(ran)


def idle_ms(core: Core, calls: int = 200) -> float:
    """Milliseconds per run_due call when nothing is due."""
    started = time.perf_counter()
    for _ in range(calls):
        run_due(core, now=T - timedelta(days=1))
    return (time.perf_counter() - started) * 1000 / calls


def measure(url: str, folder: Path, windows: int, workers: int) -> dict[str, Any]:
    """Figures for one database."""
    cores = [core_for(url, folder) for _ in range(workers)]
    try:
        schedule(cores[0], windows)
        idle = idle_ms(cores[0])
        seconds, ran = race(cores, windows)
        return {"windows": windows, "workers": workers, "jobs_run": ran, "idle_run_due_ms": round(idle, 2),
                "ms_per_job": round(seconds * 1000 / max(ran, 1), 2)}
    finally:
        for core in cores:
            core.engine.dispose()


def pg_schema(base: str) -> tuple[str, Any] | None:
    """A fresh schema on PostgreSQL, or None when nothing answers on 127.0.0.1:5432."""
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return None
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    return f"{base}?options=-csearch_path%3D{schema}", (admin, schema)


def run(quick: bool) -> dict[str, Any]:
    """Every figure, as a dict."""
    windows = 40 if quick else 200
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db.upgrade(url)
        figures["sqlite"] = measure(url, Path(tmp), windows, workers=1)
        base = load_config({"DATABASE_URL": os.environ.get("HERALD_BENCH_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test")}).database_url
        made = pg_schema(base)
        if made is not None:
            pg_url, (admin, schema) = made
            try:
                db.upgrade(pg_url)
                figures["postgresql"] = measure(pg_url, Path(tmp), windows, workers=3)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()
    return figures


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv), indent=2))

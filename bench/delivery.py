"""Delivery figures: latency from commit to the channel, backlog throughput, a worker's peak RSS.

Latency: one update at a time is committed and the instant noted; the fake channel (tests.fakes
.receiver, on 127.0.0.1, answering at once) notes when each of the two channels received it. Measured
for the in-process worker thread on SQLite (`herald serve`), a `herald worker` process on PostgreSQL
(woken by LISTEN/NOTIFY) and, for contrast, a `herald worker` process on SQLite (woken by its poll).
Throughput: a backlog (5,000 deliveries; 500 with --quick) drained by 1 and by 4 worker processes on
PostgreSQL. Peak RSS is VmHWM of each worker process, read from /proc before it is stopped.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bot.core import Core
from bot.delivery import outbox, worker
from bot.domain import service
from bot.domain.models import Delivery, Incident, Update, utcnow
from bot.store import db
from tests.bot.delivery import worker_kit as kit
from tests.fakes.receiver import Receiver
from tests.support import eventually, fresh_pg_url, postgres_available

BENCH_ENV = {"HERALD_CLAIM_LEASE": "120", "HERALD_WORKER_POLL": "1.0"}


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    """A migrated SQLite file or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
        db.upgrade(url)
        yield url
        return
    for url in fresh_pg_url():
        db.upgrade(url)
        yield url


def percentiles(samples: list[float]) -> dict[str, float]:
    """Median, p99 and max of `samples` (seconds) in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(p99 * 1000, 2), "max_ms": round(ordered[-1] * 1000, 2)}


def measure_latency(core: Core, rx: Receiver, count: int) -> dict[str, float]:
    """Post `count` updates one at a time, at random gaps; commit → receipt latency over both channels.

    The gaps (50–250 ms) let the worker go idle between probes, as between real updates; without them
    the next probe would be claimed on the back of the previous one and a polling worker looks fast.
    """
    samples: list[float] = []
    gaps = random.Random(7)
    incident = kit.post(core, None, "latency probe")
    eventually(lambda: rx.count() == 2, timeout=30, required=False)
    for n in range(count):
        time.sleep(gaps.uniform(0.05, 0.25))
        before = rx.count()
        with db.transaction(core.sessions) as session:
            service.post_update(session, incident_id=incident, body=f"probe {n}", publishers=core.publisher_names)
        committed = time.time()
        outbox.notify(core)
        if not eventually(lambda before=before: rx.count() == before + 2, timeout=30, every=0.001, required=False):
            raise RuntimeError(f"update {n} was not delivered within 30 s")
        samples += [m.received_at - committed for m in rx.messages["alpha"][-1:] + rx.messages["beta"][-1:]]
    return percentiles(samples)


def latency_thread(kind: str, count: int) -> dict[str, Any]:
    """Latency with the worker on a thread of this process (as `herald serve` runs it)."""
    with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url, Receiver() as rx:
        core = kit.make_core(kit.settings(url, Path(folder), **BENCH_ENV), rx)
        thread, stop = worker.start_thread(core)
        try:
            return measure_latency(core, rx, count)
        finally:
            stop.set()
            thread.join(10)
            core.engine.dispose()


def latency_process(kind: str, count: int) -> dict[str, Any]:
    """Latency with one `herald worker` process."""
    with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url, Receiver() as rx:
        tmp = Path(folder)
        env = kit.settings(url, tmp, **BENCH_ENV)
        core = kit.make_core(env, rx)
        with kit.workers(env, tmp, rx) as procs:
            wait_ready(tmp, ["w0"])
            figures = measure_latency(core, rx, count)
            figures["worker_peak_rss_mib"] = peak_rss_mib(procs[0].pid)
        core.engine.dispose()
        return figures


def wait_ready(tmp: Path, names: list[str]) -> None:
    """Wait until every named worker has logged that it is delivering."""
    def ready(name: str) -> bool:
        log = tmp / f"{name}.log"
        return log.exists() and "delivering for" in log.read_text()
    if not eventually(lambda: all(ready(n) for n in names), timeout=120, every=0.05, required=False):
        raise RuntimeError("workers did not start within 120 s")


def peak_rss_mib(pid: int) -> float:
    """A process's peak resident set size (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def fill_backlog(core: Core, deliveries: int, per_incident: int = 10) -> None:
    """Insert incidents, updates and pending deliveries (two channels) in bulk, as if queued earlier."""
    updates = deliveries // len(kit.CHANNELS)
    incidents = max(1, updates // per_incident)
    now = utcnow() - timedelta(seconds=1)
    base = {"created_at": now, "updated_at": now}
    with db.transaction(core.sessions) as session:
        session.execute(insert(Incident), [
            {"id": i, "kind": "incident", "title": f"backlog {i}", "impact": "minor", "status": "investigating",
             "started_at": now, "auto_transitions": True, **base} for i in range(1, incidents + 1)])
        session.execute(insert(Update), [
            {"id": u, "incident_id": 1 + (u - 1) % incidents, "number": 1 + (u - 1) // incidents,
             "status": "investigating", "body": f"update {u}", "display_at": now, "created_at": now,
             "revision": 0, "event": "update", "component_changes": []} for u in range(1, updates + 1)])
        session.execute(insert(Delivery), [
            {"update_id": u, "incident_id": 1 + (u - 1) % incidents, "publisher": p, "revision": 0,
             "state": "pending", "attempts": 0, "next_attempt_at": now, "sandbox": False, "created_at": now}
            for u in range(1, updates + 1) for p in kit.CHANNELS])


def throughput(count: int, backlog: int) -> dict[str, Any]:
    """Deliveries per second for `count` worker processes draining `backlog` on PostgreSQL."""
    with tempfile.TemporaryDirectory() as folder, database("postgresql", Path(folder)) as url, Receiver() as rx:
        tmp = Path(folder)
        env = kit.settings(url, tmp, **BENCH_ENV)
        core = kit.make_core(env, rx)
        with kit.workers(env, tmp, rx, count=count) as procs:
            wait_ready(tmp, [f"w{n}" for n in range(count)])
            fill_backlog(core, backlog)
            started = time.monotonic()
            outbox.notify(core)
            eventually(lambda: sent(core) == backlog, timeout=600, every=0.05, required=False)
            took = time.monotonic() - started
            rss = [peak_rss_mib(p.pid) for p in procs]
        core.engine.dispose()
        return {"workers": count, "deliveries": backlog, "seconds": round(took, 2),
                "per_second": round(backlog / took, 1), "peak_rss_mib": max(rss),
                "requests": len(rx.requests), "messages": rx.count()}


def sent(core: Core) -> int:
    with core.sessions() as session:
        return int(session.scalar(select(func.count()).where(Delivery.state == "sent")) or 0)


def run(quick: bool) -> dict[str, Any]:
    """Every delivery figure; PostgreSQL ones are skipped (and say so) when it is not running."""
    probes, backlog = (20, 500) if quick else (200, 5000)
    figures: dict[str, Any] = {"latency_sqlite_thread": latency_thread("sqlite", probes),
                               "latency_sqlite_process_woken": latency_process("sqlite", probes // 4)}
    if not postgres_available():
        figures["postgresql"] = "skipped: nothing listens on 127.0.0.1:5432"
        return figures
    figures["latency_postgresql_process_listen"] = latency_process("postgresql", probes)
    figures["throughput_postgresql_1_worker"] = throughput(1, backlog)
    figures["throughput_postgresql_4_workers"] = throughput(4, backlog)
    return figures

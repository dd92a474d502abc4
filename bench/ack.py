"""Ack latency: signed `/incident update` requests over loopback to `herald serve`, against two baselines.

Baselines run on the same stack in the same run: a bare Bolt app with default settings (its threaded
runner polls for `ack()` every 10 ms) and one with `process_before_response=True`. Each target gets
concurrency 1 and 20 (1,000 requests each; quick: 200), measured at the client from send to last
byte, on keep-alive connections. Reports p50/p95/p99, Herald/baseline ratios, the CPU all of Herald's
processes spent per update (ack, page, card, receipts) until its queue drained, the capacity sweep
(bench.capacity) and the peak RSS of each process. `python -m bench.ack [--quick]`; `run(quick)` returns the figures.
"""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import capacity
from bench.ack_servers import SECRET
from bench.procs import cpu_seconds, drained, peak_rss_mb
from tests.handlers.signed import sign
from tests.serving import free_port, start_server, stop_server
from tests.support import make_env

INCIDENTS = 20  # updates spread over this many incidents, as a busy day would
TRIGGERS = itertools.count()
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def body(text: str, n: int) -> str:
    """A slash command form, as Slack sends it: every one with a trigger_id of its own, as Slack's are (Herald
    answers a repeated request from its replay store instead of running it)."""
    return urlencode({"token": "t", "team_id": "T1", "team_domain": "bench", "channel_id": "C_BENCH",
                      "channel_name": "ops", "user_id": "U_BENCH", "user_name": "bench", "command": "/incident",
                      "text": text, "response_url": "http://127.0.0.1:9/r", "trigger_id": f"t{n}-{next(TRIGGERS)}",
                      "api_app_id": "A1"})


def send(conn: http.client.HTTPConnection, form: str) -> float:
    """POST one signed request; returns the seconds until the whole answer arrived."""
    ts = int(time.time())
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(ts),
               "X-Slack-Signature": sign(form, ts, SECRET)}
    start = time.perf_counter()
    conn.request("POST", "/slack/events", body=form.encode(), headers=headers)
    answer = conn.getresponse()
    answer.read()
    elapsed = time.perf_counter() - start
    if answer.status != 200:
        raise RuntimeError(f"HTTP {answer.status}")
    return elapsed


def load(port: int, *, total: int, concurrency: int) -> dict[str, float]:
    """Send `total` update commands from `concurrency` threads; latency percentiles in ms."""
    times: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = [send(conn, body(f"update {(k + i) % INCIDENTS + 1} -m Bench update {k}-{i}", i))
                for i in range(total // concurrency)]
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return percentiles(times)


def percentiles(times: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    cuts = statistics.quantiles(sorted(times), n=100, method="inclusive")
    return {"n": len(times), "p50_ms": round(cuts[49] * 1000, 3), "p95_ms": round(cuts[94] * 1000, 3),
            "p99_ms": round(cuts[98] * 1000, 3), "max_ms": round(max(times) * 1000, 3)}


def measure(port: int, total: int) -> dict[str, Any]:
    """Warm up, then concurrency 1 and 20."""
    load(port, total=60, concurrency=1)
    return {"c1": load(port, total=total, concurrency=1), "c20": load(port, total=total, concurrency=20)}


def measured(port: int, total: int, master: int, database_url: str, quick: bool) -> dict[str, Any]:
    """`measure`, the CPU all of Herald's processes spent per update until the queue drained, the capacity
    sweep and each process's peak RSS."""
    before = cpu_seconds(master)
    figures = measure(port, total)
    drain = drained(database_url)
    figures["cpu_ms_per_update"] = round((cpu_seconds(master) - before) * 1000 / (2 * total + 60), 2)
    figures["queue_drained_s_after_load"] = drain
    figures["capacity"] = capacity.sweep(lambda c, n: load(port, total=n, concurrency=c), quick=quick)
    figures["peak_rss_mb"] = peak_rss_mb(master)
    return figures


@contextmanager
def fake_slack() -> Iterator[str]:
    """The fake Slack Web API in its own process; yields its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.ack_servers", "fake"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        yield proc.stdout.readline().strip() if proc.stdout else ""
    finally:
        proc.stdin.close() if proc.stdin else None
        proc.wait(10)


def herald(slack: str, tmp: Path, total: int, quick: bool) -> dict[str, Any]:
    """Herald as `herald serve` runs it: SQLite, its worker a child process, status page publisher."""
    from bot.store import db

    url = f"sqlite:///{tmp / 'bench.db'}"
    db.upgrade(url)
    env = make_env(url, tmp, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_URL=slack + "/api/", HERALD_ALLOWED_USERS="U_BENCH")
    base, process, _log = start_server(env, tmp)
    port = int(base.rsplit(":", 1)[1])
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(INCIDENTS):
            send(conn, body(f"open Bench incident {n} -c app -m Start", n))
        return measured(port, total, process.pid, url, quick)
    finally:
        stop_server(process)


def herald_split(slack: str, tmp: Path, total: int, quick: bool) -> dict[str, Any]:
    """Herald as the Procfile runs it on PostgreSQL: `herald serve --no-worker` beside `herald worker`."""
    import os
    import uuid

    from sqlalchemy import create_engine, text

    from bot.store import db

    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG}?options=-csearch_path%3D{schema}"
    db.upgrade(url)
    env = make_env(url, tmp, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_URL=slack + "/api/", HERALD_ALLOWED_USERS="U_BENCH")
    base, process, _log = start_server(env, tmp, "--no-worker")
    worker = subprocess.Popen([sys.executable, "-c", "from herald.cli import main; main()", "worker"],
                              env={**os.environ, **env}, cwd=tmp, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
        for n in range(INCIDENTS):
            send(conn, body(f"open Bench incident {n} -c app -m Start", n))
        figures = measured(int(base.rsplit(":", 1)[1]), total, process.pid, url, quick)
        figures["worker_peak_rss_mb"] = peak_rss_mb(worker.pid)["max"]
        return figures
    finally:
        stop_server(process)
        worker.terminate()
        worker.wait(30)
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def baseline(slack: str, total: int, *, pbr: bool) -> dict[str, Any]:
    """A bare Bolt app on the same stack."""
    port = free_port()
    args = [sys.executable, "-m", "bench.ack_servers", "baseline", str(port), slack + "/api/"]
    proc = subprocess.Popen(args + (["--pbr"] if pbr else []), stdout=sys.stderr)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        return measure(port, total)
    finally:
        proc.terminate()
        proc.wait(15)


def run(quick: bool) -> dict[str, Any]:
    """Every figure, as a dict."""
    total = 200 if quick else 1000
    with fake_slack() as slack, tempfile.TemporaryDirectory() as tmp:
        result = {"herald": herald(slack, Path(tmp), total, quick),
                  "herald_split_postgresql": herald_split(slack, Path(tmp), total, quick),
                  "bolt_default": baseline(slack, total, pbr=False),
                  "bolt_process_before_response": baseline(slack, total, pbr=True)}
    for mine in ("herald", "herald_split_postgresql"):
        for name in ("bolt_default", "bolt_process_before_response"):
            result[f"{mine}_over_{name}"] = {
                c: {p: round(result[mine][c][p] / result[name][c][p], 2) for p in ("p50_ms", "p95_ms", "p99_ms")}
                for c in ("c1", "c20")}
    return result


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv), indent=2))

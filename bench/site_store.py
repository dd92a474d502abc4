"""`python -m bench site_store`: the `database` site store in the Procfile topology, on PostgreSQL.

A `herald worker` and two `herald serve --no-worker` processes, each in a folder of its own. Figures:
- commit → served: from an update's commit until the second web process serves the incident page with it
  (median, p99), the path being worker (LISTEN) → build → commit + NOTIFY herald_site → web cache dropped;
- requests per second for an unchanged front page, brotli accepted, from the database store's web process
  and from a `dir` store web process serving the same files, in the same run (the ratio is the figure: the
  machine is shared).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.delivery import database, percentiles
from bot.config import load_config
from bot.store import db
from bot.store.sites import DatabaseStore, DirStore
from herald.app import create_core
from tests.bot.delivery import worker_kit as kit
from tests.serving import start_server, stop_server
from tests.support import make_env, postgres_available

CLIENTS = 4  # concurrent keep-alive connections of the load generator


def settings(url: str, folder: Path, store: str) -> dict[str, str]:
    """One process's environment: its own folder, the shared database, the store named."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_env(url, folder, HERALD_SITE_STORE=store, HERALD_WORKER_POLL="1")


def commit_to_served(url: str, tmp: Path, web: str, count: int) -> dict[str, Any]:
    """Post `count` updates to one incident; time each from its commit to the web process serving it."""
    core = create_core(load_config(settings(url, tmp / "cli", "database")))
    incident = kit.post(core, None, "Bench incident")
    page = f"{web}/incidents/{incident}/"
    deadline = time.monotonic() + 60
    while "Bench incident" not in httpx.get(page).text and time.monotonic() < deadline:
        time.sleep(0.05)
    samples = []
    for n in range(count):
        marker = f"update {n} {uuid.uuid4().hex[:8]}"
        kit.post(core, incident, marker)
        started = time.perf_counter()
        with httpx.Client() as client:
            while marker not in client.get(page).text:
                if time.perf_counter() - started > 30:
                    raise RuntimeError(f"{marker} was not served within 30 s")
                time.sleep(0.002)
        samples.append(time.perf_counter() - started)
    core.engine.dispose()
    return percentiles(samples)


def requests_per_second(web: str, total: int) -> float:
    """Unchanged front-page requests per second over CLIENTS keep-alive connections."""
    def client_run(n: int) -> None:
        with httpx.Client(headers={"Accept-Encoding": "br"}) as client:
            for _ in range(n):
                response = client.get(web + "/")
                if response.status_code != 200:
                    raise RuntimeError(f"{web}/ answered {response.status_code}")

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client_run, [total // CLIENTS] * CLIENTS))
    return round(total / (time.perf_counter() - started), 1)


def copy_to_dir(url: str, folder: Path) -> None:
    """Write every file of the database store into a site folder (the `dir` store's baseline)."""
    rows, files = DatabaseStore(db.make_engine(url)), DirStore(folder)
    for path in rows.list():
        found = rows.read(path)
        if found is not None:
            files.put(path, found.data)
    rows.engine.dispose()


def run(quick: bool) -> dict[str, Any]:
    """The figures above; skipped without PostgreSQL."""
    if not postgres_available():
        return {"skipped": "PostgreSQL is not on 127.0.0.1:5432"}
    count, total = (5, 400) if quick else (40, 4000)
    with tempfile.TemporaryDirectory() as name, database("postgresql", Path(name)) as url:
        tmp = Path(name)
        worker = kit.spawn(settings(url, tmp / "worker", "database"), tmp / "worker", None, "bench-worker")
        servers = [start_server(settings(url, tmp / f"web{n}", "database"), tmp / f"web{n}", "--no-worker")
                   for n in (1, 2)]
        try:
            latency = commit_to_served(url, tmp, servers[1][0], count)
            copy_to_dir(url, tmp / "dir" / "site")
            folder = start_server(settings(url, tmp / "dir", "dir"), tmp / "dir", "--no-worker")
            servers.append(folder)
            database_rps = requests_per_second(servers[1][0], total)
            dir_rps = requests_per_second(folder[0], total)
        finally:
            for _url, process, _log in servers:
                stop_server(process)
            kit.stop(worker)
    return {"commit_to_served_by_second_web": latency, "unchanged_page_rps": {
        "database_store": database_rps, "dir_store": dir_rps, "ratio": round(database_rps / dir_rps, 2)},
        "cpus": os.cpu_count()}

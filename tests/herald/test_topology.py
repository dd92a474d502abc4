"""The Procfile's topology on PostgreSQL: `herald serve --no-worker` and `herald worker` as separate processes in
separate folders (no shared disk), with the default site store. The web process serves what the worker built,
a web process restarted in an empty folder serves it at once, and two web processes serve identical files."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from herald.cli import main
from tests.bot.delivery import worker_kit as kit
from tests.serving import start_server, stop_server
from tests.support import eventually, make_env

TITLE = "Checkout errors in the EU"
PATHS = ("/", "/incidents/1/", "/api/v2/summary.json", "/history.atom", "/history.rss", "/api/v2/incidents/1.json")


def env_in(pg_url: str, folder: Path) -> dict[str, str]:
    """One process's settings: its own folder, the shared database, no HERALD_SITE_STORE (the default)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = make_env(pg_url, folder, HERALD_WORKER_POLL="0.5")
    del env["HERALD_SITE_STORE"]
    return env


@pytest.fixture
def worker(pg_url: str, tmp_path: Path) -> Iterator[Path]:
    """`herald worker` in a folder of its own; yields that folder."""
    folder = tmp_path / "worker"
    proc = kit.spawn(env_in(pg_url, folder), folder, None, "worker")
    yield folder
    kit.stop(proc)


def served(url: str) -> dict[str, httpx.Response]:
    """Each of PATHS as `url` answers it (brotli accepted)."""
    return {path: httpx.get(url + path, headers={"Accept-Encoding": "br"}) for path in PATHS}


def shows_incident(url: str) -> bool:
    """True when every page, the summary and both feeds carry the new incident."""
    return all(r.status_code == 200 and TITLE in r.text for r in served(url).values())


def test_the_web_process_serves_what_a_worker_on_another_disk_built(pg_url: str, tmp_path: Path,
                                                                    worker: Path) -> None:
    """After `herald incident open`, the web process serves it on `/`, its page, summary.json and the feeds;
    killed and restarted in an empty folder it serves the same bytes at once; a second web process too."""
    web_dir = tmp_path / "web"
    url, web, _ = start_server(env_in(pg_url, web_dir), web_dir, "--no-worker")
    try:
        cli = env_in(pg_url, tmp_path / "cli")
        result = CliRunner().invoke(main, ["incident", "open", TITLE, "-c", "app", "-m", "Looking into it."], env=cli)
        assert result.exit_code == 0, result.output
        eventually(lambda: shows_incident(url), what="the new incident on every page of the web process")
        before = served(url)
    finally:
        web.send_signal(signal.SIGKILL)
        web.wait(10)
    fresh_dir = tmp_path / "fresh"
    url, web, _ = start_server(env_in(pg_url, fresh_dir), fresh_dir, "--no-worker")
    second_dir = tmp_path / "second"
    url2, web2, _ = start_server(env_in(pg_url, second_dir), second_dir, "--no-worker")
    try:
        after, other = served(url), served(url2)  # no waiting: the page is there from the start
        for path in PATHS:
            assert after[path].status_code == 200 and after[path].content == before[path].content, path
            assert other[path].content == after[path].content, path
            assert other[path].headers["ETag"] == after[path].headers["ETag"] == before[path].headers["ETag"], path
    finally:
        stop_server(web)
        stop_server(web2)
    assert not any(p.suffix == ".html" for d in (worker, web_dir, fresh_dir) for p in d.rglob("*")), "no site on disk"

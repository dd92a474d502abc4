"""`herald serve` in headless Chromium: a widget on another origin reads the JSON API, and an unknown
path shows the styled 404 page, brotli-compressed, with every asset loading."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, sample
from tests.serving import start_server, stop_server
from tests.support import make_env

WIDGET = """<!doctype html><title>widget</title><body><script>
const api = new URLSearchParams(location.search).get("api");
Promise.all([
  fetch(api + "/api/v2/summary.json").then(r => r.json()),
  // a header outside the CORS safelist makes the browser ask first (OPTIONS preflight)
  fetch(api + "/api/v2/status.json", {headers: {"X-Widget": "1"}}).then(r => r.json()),
  fetch(api + "/history.rss").then(r => r.text()),
]).then(([summary, status, rss]) => {
  document.body.dataset.read = JSON.stringify({indicator: summary.status.indicator,
    components: summary.components.length, status: status.status.indicator, rss: rss.includes("<rss")});
}, error => { document.body.dataset.read = "blocked: " + error; });
</script></body>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def herald_site(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A built sample site served by a real `herald serve` on 127.0.0.1; yields its URL and folder."""
    env = make_env(database_url, tmp_path)
    core = create_core(load_config(env))
    sample(core)
    StatuspagePublisher(core.context).build(NOW)
    core.engine.dispose()
    url, process, _log = start_server(env, tmp_path, "--no-worker")
    try:
        yield url, tmp_path / "site"
    finally:
        stop_server(process)


@pytest.fixture
def widget_origin(tmp_path: Path) -> Iterator[str]:
    """A second origin (another 127.0.0.1 port) serving a page that reads Herald's API."""
    folder = tmp_path / "widget"
    folder.mkdir()
    (folder / "index.html").write_text(WIDGET, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_widget_on_another_origin_reads_the_api(browser: Any, herald_site: tuple[str, Path],
                                                  widget_origin: str) -> None:
    """Chromium lets a page from another port read summary.json, a preflighted status.json and the RSS feed."""
    url, site = herald_site
    page = browser.new_page()
    page.goto(f"{widget_origin}?api={url}")
    page.wait_for_function("document.body.dataset.read !== undefined", timeout=15_000)
    read = page.evaluate("document.body.dataset.read")
    page.context.close()
    assert not read.startswith("blocked"), read
    summary = json.loads((site / "api/v2/summary.json").read_text(encoding="utf-8"))
    assert json.loads(read) == {"indicator": summary["status"]["indicator"], "components": len(summary["components"]),
                                "status": summary["status"]["indicator"], "rss": True}


def test_an_unknown_path_shows_the_styled_404_page(browser: Any, herald_site: tuple[str, Path]) -> None:
    """A mistyped URL at any depth answers 404 with the site's page: compressed, styled, its links working."""
    url, _site = herald_site
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    missing = f"{url}/incidents/9999/typo/"
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.url != missing
            else None)
    response = page.goto(missing)
    assert response is not None and response.status == 404
    assert response.headers.get("content-encoding") == "br"
    assert page.locator("h1").inner_text() == "Page not found"
    styled = page.evaluate("[...document.styleSheets].some(s => s.href && s.cssRules.length > 0)")
    page.get_by_role("link", name="Incident history").first.click()
    page.wait_for_load_state()
    assert page.url == f"{url}/history/" and page.locator("h1").inner_text() == "Incident history"
    page.context.close()
    assert styled and failed == []

"""`herald serve` in headless Chromium: a widget on another origin reads the JSON API, and an unknown
path shows the styled 404 page, brotli-compressed, with every asset loading."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, sample
from tests.serving import serve_folder, start_server, stop_server
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
    with serve_folder(folder) as url:
        yield url


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


def embed_snippet() -> str:
    """The embedding snippet exactly as docs/status-page.md gives it."""
    text = (Path(__file__).resolve().parents[2] / "docs/status-page.md").read_text(encoding="utf-8")
    block = text.split("<!-- herald-embed -->", 1)[1].split("<!-- /herald-embed -->", 1)[0]
    return block.split("```html\n", 1)[1].split("```", 1)[0]


def test_the_documented_embed_snippet_shows_the_status_on_another_origin(browser: Any, herald_site: tuple[str, Path],
                                                                         tmp_path: Path) -> None:
    """The docs' snippet, pasted into a page on another origin, shows the overall status from status.json."""
    url, site = herald_site
    folder = tmp_path / "host"
    folder.mkdir()
    page_html = "<!doctype html><html lang=en><title>host</title><body>" + embed_snippet().replace(
        "https://status.example.com", url) + "</body></html>"
    (folder / "index.html").write_text(page_html, encoding="utf-8")
    with serve_folder(folder) as host:
        page = browser.new_page()
        page.goto(host)
        page.wait_for_function("document.querySelector('#herald-status a').hasAttribute('data-indicator')",
                               timeout=15_000)
        status = json.loads((site / "api/v2/status.json").read_text(encoding="utf-8"))["status"]
        link = page.locator("#herald-status a")
        assert link.inner_text() == status["description"] == "Major outage"
        assert link.get_attribute("data-indicator") == status["indicator"]
        page.context.close()


def test_the_badge_is_an_svg_image_with_readable_text(browser: Any, herald_site: tuple[str, Path]) -> None:
    """/badge.svg is served as image/svg+xml, loads as an <img>, and names the overall status in words."""
    url, _site = herald_site
    page = browser.new_page()
    response = page.goto(f"{url}/badge.svg")
    assert response is not None and response.headers["content-type"].startswith("image/svg+xml")
    assert page.locator("title").first.text_content() == "Herald Status: Major outage"
    assert "Major outage" in (page.locator("svg").text_content() or "")
    page.goto(f"{url}/")  # an HTML page of the site, then the badge in it as another site would show it
    page.set_content(f'<img src="{url}/badge.svg" alt="status">')
    page.wait_for_function("document.images[0].complete && document.images[0].naturalWidth > 100")
    page.context.close()

"""The site in headless Chromium: complete without JavaScript, time-zone toggle with it, no injected script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.core import Core
from bot.domain import service
from bot.store import db
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, XSS_TITLE
from tests.support import shots


def open_page(browser: Any, url: str, *, js: bool, dark: bool = False) -> tuple[Any, list[str], list[str]]:
    """A page at `url` in Berlin time, recording dialogs and requests to anywhere but the site."""
    context = browser.new_context(java_script_enabled=js, timezone_id="Europe/Berlin", locale="en-GB",
                                  color_scheme="dark" if dark else "light", viewport={"width": 900, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    foreign: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith("http://127.0.0.1") or r.url.startswith("data:")
            else foreign.append(r.url))
    page.goto(url, wait_until="load")
    return page, dialogs, foreign


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_front_page_renders(browser: Any, served: str, built: dict[str, int], tmp_path: Path, js: bool) -> None:
    """The front page shows banner, sections and the escaped title; nothing fires, nothing is fetched elsewhere."""
    page, dialogs, foreign = open_page(browser, served, js=js)
    assert page.locator("h1").inner_text() == "Herald Status"
    assert "Major outage" in page.locator(".banner").inner_text()
    for heading in ("Current status", "Scheduled maintenance", "Past incidents"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("link", name=XSS_TITLE).first.is_visible()
    assert page.get_by_role("button").count() == (1 if js else 0)  # without script, no button to press
    page.screenshot(path=str(shots(tmp_path) / f"front-{'js' if js else 'nojs'}.png"), full_page=True)
    assert dialogs == [] and foreign == []
    page.context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_incident_page_renders(browser: Any, served: str, built: dict[str, int], tmp_path: Path, js: bool) -> None:
    """The incident page shows the timeline with the literal hostile text and fires no dialog."""
    page, dialogs, foreign = open_page(browser, f"{served}incidents/{built['live']}/", js=js)
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert "<img src=x onerror=alert(1)>" in page.locator("#update-1 .body").inner_text()
    assert page.locator("ol.timeline > li").count() == 2
    page.locator("summary").click()
    assert "Found a bad deploy." in page.locator(".was").inner_text()
    page.screenshot(path=str(shots(tmp_path) / f"incident-{'js' if js else 'nojs'}.png"), full_page=True)
    assert dialogs == [] and foreign == []
    page.context.close()


def test_time_zone_toggle(browser: Any, served: str, built: dict[str, int]) -> None:
    """The button shows every time in the reader's zone and back; the choice survives a reload."""
    page, dialogs, _ = open_page(browser, f"{served}incidents/{built['live']}/", js=True)
    first = page.locator('#update-1 time').first
    assert first.inner_text() == "2010-09-02 07:00 PDT (14:00 UTC)"
    page.get_by_role("button", name="Show times in my time zone").click()
    page.get_by_role("button", name="Show page times").wait_for()  # once the zone's letters have come
    assert first.inner_text() == "2010-09-02 16:00 CEST (14:00 UTC)"
    assert "Europe/Berlin" in page.locator("#tz").inner_text()
    page.reload()
    page.get_by_role("button", name="Show page times").wait_for()
    assert page.locator('#update-1 time').first.inner_text() == "2010-09-02 16:00 CEST (14:00 UTC)"
    page.get_by_role("button", name="Show page times").click()
    assert page.locator('#update-1 time').first.inner_text() == \
        "2010-09-02 07:00 PDT (14:00 UTC)"
    assert dialogs == []
    page.context.close()


def test_keyboard_and_dark_mode(browser: Any, served: str, built: dict[str, int], tmp_path: Path) -> None:
    """Tab reaches the skip link first and shows a focus ring; dark mode follows prefers-color-scheme."""
    page, _, _ = open_page(browser, served, js=True, dark=True)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    page.screenshot(path=str(shots(tmp_path) / "front-dark.png"), full_page=True)
    page.context.close()


def test_history_leads_to_every_month_and_incident(browser: Any, served: str, built: dict[str, int],
                                                   tmp_path: Path) -> None:
    """Without JavaScript, the history index links to a month page, which links to the incident page."""
    page, dialogs, foreign = open_page(browser, f"{served}history/", js=False)
    page.get_by_role("link", name="July 2010", exact=True).click()
    assert page.locator("h1").inner_text() == "July 2010"
    page.screenshot(path=str(shots(tmp_path) / "month.png"), full_page=True)
    page.get_by_role("link", name="Last month").click()
    assert page.locator("h1").inner_text() == "Last month" and page.url.endswith(f"/incidents/{built['old']}/")
    assert dialogs == [] and foreign == []
    page.context.close()


def test_remote_image_in_an_update_is_never_fetched(browser: Any, served: str, core: Core, built: dict[str, int],
                                                     publisher: StatuspagePublisher) -> None:
    """An update carrying a remote Markdown image shows a link to it, and no request leaves 127.0.0.1."""
    with db.transaction(core.sessions) as s:
        service.post_update(s, incident_id=built["live"], status="monitoring", publishers=["statuspage"],
                            body="Latency: ![the graph](https://evil.example/p.png)", now=NOW)
    publisher.build(NOW)
    for path in ("", f"incidents/{built['live']}/"):
        page, dialogs, foreign = open_page(browser, served + path, js=True)
        link = page.get_by_role("link", name="the graph").first
        assert link.get_attribute("href") == "https://evil.example/p.png"
        assert page.locator("img").count() == 0 and foreign == [] and dialogs == []
        page.context.close()

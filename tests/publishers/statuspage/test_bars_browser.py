"""The uptime bars in headless Chromium: reachable by keyboard, named for screen readers, axe-clean in light and dark,
no sideways scrolling at 320 px; screenshots for a person to look at (HERALD_SCREENSHOT_DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.test_bars import AT, history
from tests.serving import serve_folder
from tests.support import make_env, shots

COMPONENTS = """\
[[component]]
name = "app"
description = "The shop's checkout and the customer dashboard."
group = "Web"
[[component]]
name = "www"
description = "The public website."
group = "Web"
[[component]]
name = "api"
description = "The REST API for integrations."
"""


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The hand-computed uptime history with grouped, described components, built and served on 127.0.0.1."""
    (tmp_path / "components.toml").write_text(COMPONENTS, encoding="utf-8")
    env = make_env(database_url, tmp_path, HERALD_COMPONENTS=str(tmp_path / "components.toml"))
    core = create_core(load_config(env))
    history(core)
    StatuspagePublisher(core.context).build(AT)
    core.engine.dispose()
    with serve_folder(tmp_path / "site") as url:
        yield url


def visit(browser: Any, url: str, *, dark: bool = False, width: int = 1000) -> Any:
    context = browser.new_context(color_scheme="dark" if dark else "light", viewport={"width": width, "height": 900},
                                  timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.goto(url, wait_until="load")
    return page


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [1000, 320], ids=["desktop", "mobile"])
def test_bars_pass_axe_and_fit_a_phone(browser: Any, site: str, tmp_path: Path, dark: bool, width: int) -> None:
    """With bars, disclosures and groups (open and closed), axe finds nothing and nothing scrolls sideways."""
    from axe_playwright_python.sync_playwright import Axe  # loaded only where a browser runs

    page = visit(browser, site, dark=dark, width=width)
    page.get_by_text("Days with incidents (4)").click()
    page.get_by_text("About app").click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    name = f"bars-en-{'desktop' if width > 500 else 'mobile'}-{'dark' if dark else 'light'}.png"
    page.screenshot(path=str(shots(tmp_path) / name), full_page=True)
    page.context.close()


def test_bars_are_reached_by_keyboard_and_read_as_text(browser: Any, site: str) -> None:
    """Tab reaches app's bar, whose accessible name is its uptime; the days with incidents are a text list."""
    page = visit(browser, site)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('bar')"):
            break
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label == "app: 99.82 % uptime over the last 90 days, 4 days with incidents"
    assert page.get_by_role("img", name=label).is_visible()
    page.keyboard.press("Tab")  # the next stop is the list of days under the bar
    page.keyboard.press("Enter")
    listed = page.locator(".noted[open] li").all_inner_texts()
    assert listed[0] == "2010-11-07: Major outage 3 hours; Degraded performance 30 minutes #3 Slow pages, #4 App down"
    assert len(listed) == 4
    tooltip = page.locator(".bar").first.locator("i").nth(88).get_attribute("title")
    assert tooltip is not None and tooltip.startswith("2010-11-07: Major outage 3 hours")
    page.context.close()


def test_a_group_collapses_and_shows_its_worst_status(browser: Any, site: str) -> None:
    """The Web group is open by default; closed, its summary still shows the group's status."""
    page = visit(browser, site)
    group, summary = page.locator("details.group"), page.locator("details.group > summary")
    assert group.get_attribute("open") is not None
    assert summary.inner_text().split() == ["Web", "Operational"]  # the worst of app and www
    summary.click()
    assert group.get_attribute("open") is None and not page.get_by_text("About www").is_visible()
    page.context.close()

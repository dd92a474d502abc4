""""Show times in my time zone": the server formatter's rules in the reader's zone, whatever their locale.

The page is built in Los Angeles time and read in Chromium set to another zone and locale; after the
toggle, every time must read exactly as bot.text.times formats it for a Clock in that zone, and The Past must
be grouped by that zone's days exactly as a page built in that zone groups it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core import Core
from bot.domain import service
from bot.store import db
from bot.text.times import Clock, format_instant, format_range, format_since
from publishers.statuspage import StatuspagePublisher
from tests.fakes.incidents import herald
from tests.publishers.statuspage.conftest import NOW, sample
from tests.support import shots

READ_TIMES = """() => [...document.querySelectorAll("time[data-t]")].map(el => ({
  text: el.textContent, start: el.getAttribute("datetime"), end: el.getAttribute("data-end"),
  since: el.hasAttribute("data-since")}))"""
READ_DAYS = """() => [...document.querySelectorAll("[data-past] .days > *")].filter(el => !el.hidden).map(el =>
  el.matches("h3") ? "day " + el.innerText : el.matches("ul") ?
  [...el.querySelectorAll("li > a")].map(a => a.getAttribute("href")).join(" ") : el.innerText)"""
LAYOUT_SHIFT = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => done(total), 500);
})"""


def at(text: str) -> datetime:
    """A UTC instant from `YYYY-MM-DD HH:MM`."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def build(core: Core) -> None:
    """Write the whole site as of NOW."""
    StatuspagePublisher(core.context).build(NOW)


def history(core: Core) -> None:
    """The sample history plus incidents near the edges of days, of The Past and of clock changes."""
    sample(core)
    spans = [("2010-08-19 20:00", "2010-08-19 21:00"),  # a day before LA's and Berlin's Past; in Kolkata's
             ("2010-08-20 03:00", "2010-08-20 04:00"),  # LA: 08-19; Berlin, Kolkata: 08-20
             ("2010-09-01 23:30", "2010-09-02 00:10"),  # LA: 09-01; Berlin, Kolkata: 09-02
             ("2010-10-30 23:30", "2010-10-31 02:00"),  # Berlin: CEST – CET
             ("2010-03-14 07:00", "2010-03-14 10:30"),  # LA: PST – PDT
             ("2010-08-30 18:00", "2010-08-31 03:30")]  # Kolkata: two local dates and two UTC dates
    with db.transaction(core.sessions) as s:
        for n, (start, end) in enumerate(spans):
            opened = service.declare(s, title=f"Edge {n}", body="Looking.", at=at(start), now=at(start))
            service.resolve(s, incident_id=opened.incident_id, body="Fixed.", at=at(end), now=at(end))


@pytest.fixture(params=[("Europe/Berlin", 24, "de-DE"), ("Asia/Kolkata", 12, "en-IN"), ("Asia/Dubai", 24, "ar-AE")],
                ids=["berlin-24h", "kolkata-12h", "dubai"])
def reader(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[tuple[str, int, str, Path]]:
    """(zone, clock, locale, reference site): the page built in LA, and the same history built in the zone."""
    zone, hours, locale = request.param
    with herald(database_url, tmp_path, HERALD_CLOCK=str(hours)) as core:
        history(core)
        build(core)
    reference = tmp_path / "reference"
    with herald(database_url, tmp_path, HERALD_CLOCK=str(hours), HERALD_TIMEZONE=zone,
                HERALD_SITE_DIR=str(reference)) as core:
        build(core)
    yield zone, hours, locale, reference


def expected(item: dict[str, Any], clock: Clock) -> str:
    """What bot.text.times writes for one <time> element's instants in `clock`."""
    start = datetime.fromisoformat(item["start"])
    if item["end"]:
        return format_range(start, datetime.fromisoformat(item["end"]), clock)
    return format_since(start, clock) if item["since"] else format_instant(start, clock)


def page_in(browser: Any, zone: str, locale: str) -> tuple[Any, list[str]]:
    """A Chromium page in the reader's zone and locale, recording the URLs it requests."""
    page = browser.new_context(timezone_id=zone, locale=locale, viewport={"width": 900, "height": 900}).new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    return page, requested


def test_toggle_writes_every_time_as_the_server_would_in_the_readers_zone(
        browser: Any, reader: tuple[str, int, str, Path], served: str) -> None:
    """On the front, incident and month pages, each time after the toggle equals bot.text.times' for that zone."""
    zone, hours, locale, _ = reader
    clock = Clock(zone, hours)
    page, requested = page_in(browser, zone, locale)
    paths = ["", *(f"incidents/{n}/" for n in range(1, 11)), "history/2010-03/", "history/2010-08/",
             "history/2010-10/"]
    page.goto(served, wait_until="load")
    assert not [u for u in requested if "zones" in u]  # the abbreviations are fetched only when asked for
    page.get_by_role("button", name="Show times in my time zone").click()
    page.get_by_role("button", name="Show page times").wait_for()
    assert len([u for u in requested if re.search(r"/assets/zones\b", u)]) == 1
    for path in paths:
        page.goto(served + path, wait_until="load")  # the choice is remembered from page to page
        page.get_by_role("button", name="Show page times").wait_for()
        times = page.evaluate(READ_TIMES)
        assert times, path
        assert [t["text"] for t in times] == [expected(t, clock) for t in times], path
    assert len([u for u in requested if re.search(r"/assets/zones\b", u)]) == 1  # kept, not fetched again
    page.context.close()


def test_toggle_regroups_the_past_by_the_readers_days(browser: Any, reader: tuple[str, int, str, Path],
                                                      served: str, tmp_path: Path) -> None:
    """The Past, toggled, has the same day headings and entries as the page built in the reader's zone;
    toggled back, it is the page's own again."""
    zone, _, locale, reference = reader
    page, _ = page_in(browser, zone, locale)
    page.goto(served, wait_until="load")
    own = page.evaluate(READ_DAYS)
    page.get_by_role("button", name="Show times in my time zone").click()
    page.get_by_role("button", name="Show page times").wait_for()
    toggled = page.evaluate(READ_DAYS)
    page.screenshot(path=str(shots(tmp_path) / f"toggled-{zone.replace('/', '-')}.png"), full_page=True)
    page.goto(Path(reference, "index.html").as_uri(), wait_until="load")
    built_there = page.evaluate(READ_DAYS)
    assert toggled == built_there and toggled != own and any(d.startswith("day ") for d in toggled)
    assert any(str(d).startswith("No incidents ") for d in toggled)  # empty days in a row are one line
    page.goto(served, wait_until="load")
    page.get_by_role("button", name="Show page times").click()
    assert page.evaluate(READ_DAYS) == own
    page.context.close()


def test_toggle_appears_without_moving_the_page(browser: Any, built: dict[str, int], served: str) -> None:
    """Loading a page with the toggle records no layout shift (the button's space is reserved)."""
    for path in ("", f"incidents/{built['live']}/"):
        page, _ = page_in(browser, "Europe/Berlin", "de-DE")
        page.goto(served + path, wait_until="load")
        assert page.get_by_role("button", name="Show times in my time zone").is_visible()
        assert page.evaluate(LAYOUT_SHIFT) == 0
        page.context.close()


def test_zone_data_has_the_tz_databases_letters_only(core: Core, built: dict[str, int]) -> None:
    """zones.json names CET/CEST and IST by offset, links Chromium's Asia/Calcutta, and leaves Dubai numeric."""
    import json

    (data,) = (Path(core.config.site_dir) / "assets").glob("zones.*.json")  # named by its content's hash
    zones = json.loads(data.read_bytes())["zones"]
    berlin = zones[zones["Europe/Berlin"]] if isinstance(zones["Europe/Berlin"], str) else zones["Europe/Berlin"]
    assert berlin == [[None, {"60": "CET", "120": "CEST"}]]
    kolkata = [zones[name] for name in ("Asia/Kolkata", "Asia/Calcutta") if not isinstance(zones[name], str)]
    assert kolkata == [[[None, {"330": "IST"}]]] and "Asia/Dubai" not in zones

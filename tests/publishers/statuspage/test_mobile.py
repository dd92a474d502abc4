"""The status page on a phone: no sideways scrolling at 320 and 390 px, and no line break inside a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core import Core
from bot.domain import service
from bot.store import db
from publishers.statuspage import StatuspagePublisher
from tests.fakes.incidents import herald
from tests.publishers.statuspage.conftest import NOW, sample
from tests.support import shots

LONG_COMPONENT = "payment processing and checkout api (europe)"
LONG_RANGE = (datetime(2010, 3, 14, 7, 0, tzinfo=UTC), datetime(2010, 3, 14, 10, 30, tzinfo=UTC))  # across DST
# A date and a time (`2010-03-13 11:00pm`), or a bare time or two joined by an en dash (`1:28pm–11:15pm`):
# the pieces of a time string that must never be split over two lines.
TIME = r"\d{1,2}:\d{2}(?:[ap]m)?(?:–\d{1,2}:\d{2}(?:[ap]m)?)?"
UNBREAKABLE = rf"\d{{4}}-\d{{2}}-\d{{2}} {TIME}|{TIME}"
# For every time element, the pieces above whose text spans more than one line box.
BROKEN_PIECES = """(pattern) => {
  const broken = [];
  for (const el of document.querySelectorAll("time")) {
    const nodes = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let text = "";
    while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
    const at = (i) => { let k = nodes.length - 1; while (nodes[k][1] > i) k--; return [nodes[k][0], i - nodes[k][1]]; };
    for (const m of text.matchAll(new RegExp(pattern, "g"))) {
      const range = document.createRange();
      range.setStart(...at(m.index));
      range.setEnd(...at(m.index + m[0].length - 1)); range.setEnd(range.endContainer, range.endOffset + 1);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (tops.size > 1) broken.push(m[0] + " in " + text);
    }
  }
  return broken;
}"""


@pytest.fixture
def phone_site(database_url: str, tmp_path: Path) -> Iterator[tuple[Core, dict[str, int]]]:
    """The sample history on a 12-hour clock, plus a long-named component and an incident across DST."""
    with herald(database_url, tmp_path, HERALD_CLOCK="12",
                HERALD_COMPONENTS=f"app,admin,www,{LONG_COMPONENT}") as core:
        numbers = sample(core)
        with db.transaction(core.sessions) as s:
            late = service.declare(s, title="Checkout-and-payments-were-failing-for-most-customers-in-Europe",
                                   changes=[(LONG_COMPONENT, "major_outage"), ("app", "partial_outage")],
                                   body="See https://status.example.test/a/really/long/path/that/does/not/wrap/"
                                        "anywhere/at/all/because/it/has/no/spaces", impact="critical",
                                   at=NOW - timedelta(days=2, hours=10), now=NOW - timedelta(days=2, hours=10))
            service.resolve(s, incident_id=late.incident_id, body="```\nerror: a long log line " + "x" * 80 + "\n```",
                            at=NOW - timedelta(days=2, hours=6), now=NOW - timedelta(days=2, hours=6))
            dst = service.declare(s, title="Night of the clock change", body="Slow.", at=LONG_RANGE[0],
                                  changes=[(LONG_COMPONENT, None)], now=LONG_RANGE[0])
            service.resolve(s, incident_id=dst.incident_id, at=LONG_RANGE[1], now=LONG_RANGE[1])
        StatuspagePublisher(core.context).build(NOW)
        yield core, {**numbers, "late": late.incident_id, "dst": dst.incident_id}


@pytest.mark.parametrize("width", [320, 390])
def test_no_page_scrolls_sideways_or_breaks_a_time(browser: Any, phone_site: tuple[Core, dict[str, int]],
                                                   served: str, tmp_path: Path, width: int) -> None:
    """Front, incident, month and history pages fit the width, and no date or time is split over two lines,
    in the page's zone and in the reader's (after the toggle)."""
    core, numbers = phone_site
    paths = ["", f"incidents/{numbers['late']}/", f"incidents/{numbers['dst']}/", f"incidents/{numbers['live']}/",
             f"incidents/{numbers['window']}/", "history/", "history/2010-03/", "history/2010-08/"]
    context = browser.new_context(viewport={"width": width, "height": 800}, timezone_id="Europe/Berlin")
    page = context.new_page()
    for toggled in (False, True):
        for path in paths:
            page.goto(served + path, wait_until="load")
            if toggled and page.locator("time[data-t]").count():  # (the history index has no times to show)
                page.get_by_role("button", name="Show page times").wait_for()
            assert page.locator("time").count() > 0 or path.endswith("history/")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            assert page.evaluate(BROKEN_PIECES, UNBREAKABLE) == [], path
            name = "phone-" + (path.strip("/").replace("/", "-") or "front") + f"-{width}-{toggled}.png"
            page.screenshot(path=str(shots(tmp_path) / name), full_page=True)
        if not toggled:
            page.goto(served, wait_until="load")
            page.get_by_role("button", name="Show times in my time zone").click()  # remembered for the next round
            page.get_by_role("button", name="Show page times").wait_for()
    context.close()

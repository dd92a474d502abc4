"""The uptime bars on the page, in components.json and in `herald components --uptime`, against hand-computed values.

The history (times UTC; the display zone is America/Los_Angeles, which falls back on 2010-11-07):
a partial outage of `app` across local midnight (Nov 4 23:00 → Nov 5 02:00 PDT), a maintenance window of 2 h
on Nov 6, a degraded half hour on Nov 7 overlapped by a 3-hour major outage across the clock change
(00:30 PDT → 02:30 PST). By hand (tests/bot/domain/test_uptime.py): 99.82 % over 90 days; Nov 7 (25 hours)
1 − 10800/90000 = 88.00 %; Nov 5 1 − 2160/86400 = 97.50 %.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.core import Core
from bot.domain import service
from bot.domain.models import Component
from bot.store import db
from publishers.statuspage import StatuspagePublisher

AT = datetime(2010, 11, 8, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def history(core: Core) -> dict[str, int]:
    """The hand-computed history, written through the domain service with backdated times."""
    with db.transaction(core.sessions) as s:
        s.execute(update(Component).values(created_at=utc(2010, 1, 1)))

        def outage(title: str, status: str, start: datetime, end: datetime) -> int:
            n = service.declare(s, title=title, changes=[("app", status)], body="Looking.", at=start,
                                now=start).incident_id
            service.resolve(s, incident_id=n, body="Fixed.", at=end, now=end)
            return n

        midnight = outage("Slow checkout", "partial_outage", utc(2010, 11, 5, 6), utc(2010, 11, 5, 9))
        window = service.schedule_maintenance(s, title="Database upgrade", starts=utc(2010, 11, 6, 16),
                                              ends=utc(2010, 11, 6, 18), changes=[("app", None)],
                                              now=utc(2010, 11, 1)).incident_id
        service.start_maintenance(s, incident_id=window, at=utc(2010, 11, 6, 16), now=utc(2010, 11, 6, 16))
        service.complete_maintenance(s, incident_id=window, at=utc(2010, 11, 6, 18), now=utc(2010, 11, 6, 18))
        degraded = outage("Slow pages", "degraded_performance", utc(2010, 11, 7, 7), utc(2010, 11, 7, 8))
        major = outage("App down", "major_outage", utc(2010, 11, 7, 7, 30), utc(2010, 11, 7, 10, 30))
    return {"midnight": midnight, "window": window, "degraded": degraded, "major": major}


@pytest.fixture
def numbers(core: Core) -> dict[str, int]:
    found = history(core)
    StatuspagePublisher(core.context).build(AT)
    return found


def test_components_json_carries_the_hand_computed_uptime(core: Core, numbers: dict[str, int]) -> None:
    """components.json keeps Statuspage's keys and adds `herald_uptime`: 99.82 %, and each day with incidents."""
    doc = json.loads((Path(core.config.site_dir) / "api/v2/components.json").read_text(encoding="utf-8"))
    assert set(doc["components"][0]) >= {"id", "name", "status", "position", "group_id"}
    ext = doc["herald_uptime"]
    assert ext["days"] == 90 and ext["weights"]["partial_outage"] == 0.3 and ext["weights"]["under_maintenance"] is None
    app = next(c for c in ext["components"] if c["name"] == "app")
    assert app["uptime_percent"] == 99.82 and app["since"] == "2010-08-11"
    days = {d["date"]: d for d in app["days"]}
    assert days["2010-11-07"] == {"date": "2010-11-07", "status": "major_outage", "uptime_percent": 88.0,
                                  "seconds": {"major_outage": 10800, "degraded_performance": 1800},
                                  "incidents": [str(numbers["degraded"]), str(numbers["major"])]}
    assert days["2010-11-05"]["uptime_percent"] == 97.5 and days["2010-11-04"]["seconds"] == {"partial_outage": 3600}
    assert days["2010-11-06"] == {"date": "2010-11-06", "status": "under_maintenance", "uptime_percent": 100.0,
                                  "seconds": {"under_maintenance": 7200}, "incidents": [str(numbers["window"])]}
    assert next(c for c in ext["components"] if c["name"] == "www")["uptime_percent"] == 100.0


def test_the_front_page_bar_shows_the_same_numbers(core: Core, numbers: dict[str, int]) -> None:
    """app's bar: 90 cells, its figure named for assistive technology, the tooltip and text list of Nov 7."""
    page = (Path(core.config.site_dir) / "index.html").read_text(encoding="utf-8")
    bar = re.search(r'<div class="bar" role="img" tabindex="0" aria-label="app: ([^"]*)">(.*?)</div>', page, re.S)
    assert bar is not None
    assert bar.group(1) == "99.82 % uptime over the last 90 days, 4 days with incidents"
    assert bar.group(2).count("<i ") == 90
    assert (f'<i class="u-major_outage" title="2010-11-07: Major outage 3 hours; Degraded performance 30 minutes'
            f' · #{numbers["degraded"]} Slow pages · #{numbers["major"]} App down">') in bar.group(2)
    assert '<i class="u-partial_outage" title="2010-11-04: Partial outage 1 hour' in bar.group(2)
    assert "<strong>99.82 % uptime</strong>" in page
    listed = page[page.index("Days with incidents (4)"):]
    assert f'<a href="incidents/{numbers["major"]}/">#{numbers["major"]} App down</a>' in listed


def test_the_cli_prints_the_same_uptime(core: Core, numbers: dict[str, int], run) -> None:  # type: ignore[no-untyped-def]
    """`herald components --uptime --as-of …` prints the page's figures; a bad instant is a usage error."""
    code, out = run("components", "--uptime", "--as-of", "2010-11-08T12:00Z")
    assert code == 0, out
    line = next(x for x in out.splitlines() if x.startswith("app "))
    assert " 99.82 % over 90 days, 4 days with incidents" in line
    assert "100.00 % over 90 days" in next(x for x in out.splitlines() if x.startswith("www "))
    code, out = run("components", "--uptime", "--as-of", "2010-11-08 12:00")
    assert code == 2 and "has no offset" in out


def test_only_show_if_degraded_hides_an_operational_component(core: Core, run) -> None:  # type: ignore[no-untyped-def]
    """`herald components --only-if-degraded wiki` takes wiki off the page while it is operational (the JSON says
    so, as Statuspage's does); degraded, it is listed again; `--always` undoes it; an unknown name is refused."""
    code, out = run("components", "--only-if-degraded", "wiki")
    assert code == 0 and "wiki" in out and "on the page only while not operational" in out
    site = Path(core.config.site_dir)

    def listed() -> bool:
        return '<span class="cname">wiki</span>' in (site / "index.html").read_text(encoding="utf-8")

    doc = json.loads((site / "api/v2/components.json").read_text(encoding="utf-8"))
    assert next(c for c in doc["components"] if c["name"] == "wiki")["only_show_if_degraded"] is True
    assert not listed() and '<span class="cname">www</span>' in (site / "index.html").read_text(encoding="utf-8")
    with db.transaction(core.sessions) as s:
        service.declare(s, title="Wiki slow", changes=[("wiki", "degraded_performance")], body="Looking.")
    StatuspagePublisher(core.context).refresh(None)
    assert listed()
    assert run("components", "--always", "wiki")[0] == 0
    code, out = run("components", "--only-if-degraded", "nosuch")
    assert code == 1 and 'unknown component "nosuch"' in out

"""The site builder: a full build, incremental refreshes that touch only what a change touches, shared files."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Core
from bot.domain import service
from bot.store import db
from publishers.statuspage import StatuspagePublisher
from publishers.statuspage.builder import Builder
from tests.publishers.statuspage.conftest import NOW
from tests.publishers.statuspage.history import seed

SHARED = ["index.html", "404.html", "badge.svg", "history/index.html", "history.atom", "history.rss",
          "api/v2/summary.json",
          "api/v2/status.json", "api/v2/components.json", "api/v2/incidents.json",
          "api/v2/incidents/unresolved.json", "api/v2/scheduled-maintenances.json",
          "api/v2/scheduled-maintenances/upcoming.json", "api/v2/scheduled-maintenances/active.json"]


@pytest.fixture
def builder(publisher: StatuspagePublisher) -> Builder:
    """The status page's builder on the test core's site folder."""
    return publisher.builder


def since(builder: Builder, mark: int) -> list[str]:
    """The paths the builder wrote after it had written `mark` files."""
    return builder.writer.written[mark:]


def post(core: Core, number: int, body: str) -> None:
    """Post an update (of the same status) to incident `number` at NOW."""
    with db.transaction(core.sessions) as s:
        service.post_update(s, incident_id=number, body=body, now=NOW)


def hrefs(page: Path) -> set[str]:
    """The incident links of an HTML page."""
    return set(re.findall(r'href="(?:\.\./)*(incidents/\d+/)"', page.read_text(encoding="utf-8")))


def test_a_build_writes_every_page_and_counts_them(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """A build writes each incident's page and JSON, each month, the shared files and the assets, once each."""
    written = builder.writer.written
    assert len(written) == len(set(written)) == 28
    numbers = built.values()
    assert {f"incidents/{n}/index.html" for n in numbers} | {f"api/v2/incidents/{n}.json" for n in numbers} <= set(
        written)
    assert {"history/2010-07/index.html", "history/2010-08/index.html", "history/2010-09/index.html"} <= set(written)
    assert set(SHARED) <= set(written)
    assert written[-1] == "index.html"  # the front page last: everything it links to exists first


def test_a_second_build_with_nothing_new_writes_nothing(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """Rebuilding an unchanged history at the same instant changes no file."""
    mark = len(builder.writer.written)
    assert builder.build(NOW) == 0 and since(builder, mark) == []


def test_refreshing_an_old_incident_rewrites_only_what_shows_it(core: Core, builder: Builder,
                                                               built: dict[str, int]) -> None:
    """A postscript to a resolved incident of July rewrites its page, its JSON, the feeds and the incident list."""
    old = built["old"]
    post(core, old, "A postscript: the cause was a full disk.")
    mark = len(builder.writer.written)
    assert builder.refresh(old, NOW) == 5
    assert since(builder, mark) == [f"incidents/{old}/index.html", f"api/v2/incidents/{old}.json", "history.atom",
                                    "history.rss", "api/v2/incidents.json"]
    page = Path(core.config.site_dir) / f"incidents/{old}/index.html"
    assert "A postscript: the cause was a full disk." in page.read_text(encoding="utf-8")


def test_refreshing_an_open_incident_also_rewrites_the_front_page(core: Core, builder: Builder,
                                                                  built: dict[str, int]) -> None:
    """An update to an open incident also rewrites the open-incident API files and the front page, not its month."""
    live = built["live"]
    post(core, live, "Deploy rolled back; still identified.")
    mark = len(builder.writer.written)
    assert builder.refresh(live, NOW) == 8
    assert since(builder, mark) == [f"incidents/{live}/index.html", f"api/v2/incidents/{live}.json", "history.atom",
                                    "history.rss", "api/v2/summary.json", "api/v2/incidents.json",
                                    "api/v2/incidents/unresolved.json", "index.html"]


def test_resolving_rewrites_its_month_page(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """A change its month's listing shows (the status) rewrites that month's page and no other month's."""
    live = built["live"]
    with db.transaction(core.sessions) as s:
        service.resolve(s, incident_id=live, body="Fixed.", now=NOW)
    mark = len(builder.writer.written)
    builder.refresh(live, NOW)
    written = since(builder, mark)
    assert "history/2010-09/index.html" in written
    assert not any(p.startswith(("history/2010-07", "history/2010-08")) for p in written)
    assert [p for p in written if p.startswith("incidents/")] == [f"incidents/{live}/index.html"]


def test_a_refresh_with_nothing_new_writes_nothing(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """Refreshing an incident that did not change, at the same instant, rewrites no file."""
    mark = len(builder.writer.written)
    assert builder.refresh(built["live"], NOW) == 0 and since(builder, mark) == []


def test_a_correction_to_an_older_incident_enters_the_feed(core: Core, builder: Builder) -> None:
    """Correcting an update of an incident older than the feed's 25 makes it the feeds' most recent entry."""
    seed(core, incidents=30, now=NOW - timedelta(days=1))
    builder.build(NOW)
    with db.transaction(core.sessions) as s:
        service.edit_update(s, incident_id=1, number=3, body="Correction: it was the disk.", now=NOW)
    builder.refresh(1, NOW)
    atom = (Path(core.config.site_dir) / "history.atom").read_text(encoding="utf-8")
    assert re.findall(r",2005:Incident/(\d+)</id>", atom)[0] == "1"
    assert "Correction: it was the disk." in atom


def test_refresh_none_writes_only_the_shared_files(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """A refresh for no incident rewrites every shared file that is missing or stale, and no incident's files."""
    root = Path(core.config.site_dir)
    for path in SHARED[1:]:
        (root / path).unlink()
    mark = len(builder.writer.written)
    assert builder.refresh(None, NOW + timedelta(days=1)) == len(SHARED)
    written = since(builder, mark)
    assert sorted(written) == sorted(SHARED)
    assert all((root / path).is_file() for path in SHARED)


def test_refresh_none_the_next_day_moves_the_past_on(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """After local midnight with nothing published, only the front page and the uptime in components.json change:
    its Past begins a day later, and the bars' 90 days too."""
    mark = len(builder.writer.written)
    assert builder.refresh(None, NOW + timedelta(days=1)) == 2
    assert since(builder, mark) == ["api/v2/components.json", "index.html"]
    assert "2010-09-03" in (Path(core.config.site_dir) / "index.html").read_text(encoding="utf-8")


def test_refresh_on_an_empty_site_builds_it_all(core: Core, builder: Builder) -> None:
    """With no front page yet, a refresh of one incident writes the whole site, other months' pages too."""
    july = NOW - timedelta(days=40)
    with db.transaction(core.sessions) as s:
        service.declare(s, title="Back in July", body="One.", at=july, now=july)
        fresh = service.declare(s, title="Today", body="Two.", now=NOW).incident_id
    assert builder.refresh(fresh, NOW) == len(builder.writer.written)
    root = Path(core.config.site_dir)
    assert hrefs(root / "history/2010-07/index.html") == {"incidents/1/"}
    assert (root / "incidents/1/index.html").is_file() and (root / "index.html").is_file()


def test_the_404_page_exists_after_a_build(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """A build writes 404.html, whose links start at the site's own path so they work at any depth."""
    page = (Path(core.config.site_dir) / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in page
    assert 'href="/"' in page and 'href="/history/"' in page


def test_assets_are_named_by_their_content(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """Each asset's name carries the first 12 hex digits of its content's SHA-256, and pages link that name."""
    root = Path(core.config.site_dir)
    assets = sorted((root / "assets").iterdir())
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", p.name) for p in assets] == ["site.css", "tz.js", "zones.json"]
    for asset in assets:
        assert asset.name.split(".")[1] == hashlib.sha256(asset.read_bytes()).hexdigest()[:12]
    css = next(p.name for p in assets if p.name.startswith("site."))
    assert f'href="assets/{css}"' in (root / "index.html").read_text(encoding="utf-8")
    assert f'href="../../assets/{css}"' in (root / f"incidents/{built['live']}/index.html").read_text(encoding="utf-8")


def test_a_month_page_lists_its_incidents(core: Core, builder: Builder, built: dict[str, int]) -> None:
    """Each month's page links the incidents and windows that began in it, newest first, and no others."""
    root = Path(core.config.site_dir)
    september = root / "history/2010-09/index.html"
    assert hrefs(september) == {f"incidents/{built['live']}/", f"incidents/{built['window']}/"}
    assert hrefs(root / "history/2010-08/index.html") == {f"incidents/{built['done']}/"}
    assert hrefs(root / "history/2010-07/index.html") == {f"incidents/{built['old']}/"}
    text = september.read_text(encoding="utf-8")
    assert text.index(f"incidents/{built['window']}/") < text.index(f"incidents/{built['live']}/")


def test_a_month_is_the_display_zones_month(core: Core, builder: Builder) -> None:
    """An incident that began on 1 September in UTC but 31 August in Los Angeles is listed under August."""
    start = datetime(2010, 9, 1, 3, 0, tzinfo=UTC)  # 2010-08-31 20:00 PDT
    with db.transaction(core.sessions) as s:
        number = service.declare(s, title="Evening outage", body="Down.", at=start, now=start).incident_id
    builder.build(NOW)
    root = Path(core.config.site_dir)
    assert hrefs(root / "history/2010-08/index.html") == {f"incidents/{number}/"}
    assert not (root / "history/2010-09/index.html").exists()

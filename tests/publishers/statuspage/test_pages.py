"""The pages: front page sections, incident timelines, history, escaping and size."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.config import load_config
from bot.core import Core
from bot.domain import service
from bot.domain.models import Component, Thread
from bot.store import db
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, sample
from tests.support import make_env


def read(core: Core, path: str) -> str:
    return (Path(core.config.site_dir) / path).read_text(encoding="utf-8")


def test_front_page_has_the_three_sections(core: Core, built: dict[str, int]) -> None:
    """The front page shows the banner, the last change, the present with components, the scheduled maintenance
    and 14 days of past incidents (each with its latest update; empty days in a row on one line)."""
    html = read(core, "index.html")
    assert 'class="banner ind-critical"' in html and "Major outage" in html
    assert re.search(r'<p class="stamp">Last updated <time datetime="[0-9T:-]+Z" data-t>', html)
    for heading in ("Current status", "Scheduled maintenance", "Past incidents"):
        assert f">{heading}</h2>" in html
    assert html.count('<h3 class="day">') == 2  # today (the live incident) and 2010-08-30 (the resolved one)
    assert ('<p class="none">No incidents <time datetime="2010-08-31">2010-08-31</time> – '
            '<time datetime="2010-09-01">2010-09-01</time></p>') in html
    assert ('<p class="none">No incidents <time datetime="2010-08-20">2010-08-20</time> – '
            '<time datetime="2010-08-29">2010-08-29</time></p>') in html
    assert f'href="incidents/{built["live"]}/"' in html and "Found it: a bad <strong>deploy</strong>." in html
    assert "Database upgrade" in html.split("Scheduled maintenance")[1].split("Past incidents")[0]
    past = html.split(">Past incidents</h2>")[1]
    assert f'href="incidents/{built["done"]}/"' in past and '<div class="latest"><p>Fixed.</p>' in past
    assert 'href="history/"' in html


def test_front_page_without_windows_says_so(core: Core, publisher: StatuspagePublisher) -> None:
    """With no maintenance scheduled, The Future reads the exact sentence."""
    publisher.build(NOW)
    html = read(core, "index.html")
    assert "<p>There are currently no scheduled maintenance windows.</p>" in html
    assert "All systems operational" in html


def test_every_time_is_a_time_element_from_the_formatter(core: Core, built: dict[str, int]) -> None:
    """Times sit in <time datetime=ISO> and read as SPEC §4 says (PDT with UTC in parentheses), each date
    with its time in one no-break unit."""
    html = read(core, f"incidents/{built['live']}/index.html")
    assert '<time datetime="2010-09-02T14:00:00Z" data-t><span class="nb">2010-09-02 07:00</span> PDT (14:00 UTC)' \
           '</time>' in html
    texts = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<time [^>]*>(.*?)</time>", html)]
    assert texts and all("PDT" in t for t in texts) and "2010-09-02 07:00 PDT (14:00 UTC)" in texts


def test_incident_page_has_the_full_timeline(core: Core, built: dict[str, int]) -> None:
    """The incident page lists impact, components, every update newest first, the edit and thread links."""
    html = read(core, f"incidents/{built['live']}/index.html")
    assert html.index('id="update-2"') < html.index('id="update-1"')
    assert "Edited" in html and "<summary>Earlier text (1)</summary>" in html and "Found a bad deploy." in html
    assert 'href="https://forum.example.test/t/7"' in html and 'href="https://x.example.test/herald/status/111"' in html
    assert "Major outage" in html and ">app<" in html


def test_user_text_is_escaped(core: Core, built: dict[str, int]) -> None:
    """Titles and bodies cannot inject markup: no script, img or javascript: link reaches the page."""
    for path in ("index.html", f"incidents/{built['live']}/index.html", "history.atom"):
        text = read(core, path)
        assert "<script>alert" not in text and "<img src=x" not in text and 'href="javascript:' not in text
    assert "Checkout &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in read(core, "index.html")


def test_history_lists_months_with_pages(core: Core, built: dict[str, int]) -> None:
    """The history index links each month that has a page, by name and with its count; a month page is titled
    by name, counts and links its incidents, and links the months before and after it that have a page."""
    index = read(core, "history/index.html")
    assert '<a href="2010-09/">September 2010</a> <span class="count">(2)</span>' in index
    assert '<a href="2010-07/">July 2010</a> <span class="count">(1)</span>' in index
    month = read(core, "history/2010-07/index.html")
    assert f'href="../../incidents/{built["old"]}/"' in month and "Last month" in month
    assert "<h1>July 2010</h1>" in month and "<title>July 2010 · Incident history" in month
    assert '<p class="count">1 incident' in month
    assert '<a href="../2010-08/" rel="next">August 2010 →</a>' in month and 'rel="prev"' not in month
    august = read(core, "history/2010-08/index.html")
    assert '<a href="../2010-07/" rel="prev">← July 2010</a>' in august and 'href="../2010-09/" rel="next"' in august


def test_a_new_month_is_linked_from_the_month_before(core: Core, built: dict[str, int],
                                                     publisher: StatuspagePublisher) -> None:
    """The first incident of a new month rewrites the month before, which gains its "next" link."""
    with db.transaction(core.sessions) as s:
        new = service.declare(s, title="October", body="New month.", at=NOW + timedelta(days=35),
                              now=NOW + timedelta(days=35)).incident_id
    publisher.refresh(new, NOW + timedelta(days=35))
    assert '<a href="../2010-10/" rel="next">October 2010 →</a>' in read(core, "history/2010-09/index.html")


def test_front_page_stays_small(database_url: str, tmp_path: Path) -> None:
    """20 components with full 90-day bars, 5 active incidents and 14 days of history: under 60 KB of gzip-compressed
    HTML, CSS and JS, and no request to another host."""
    names = ",".join(f"service-{n:02d}" for n in range(20))
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_COMPONENTS=names)))
    with db.transaction(core.sessions) as s:
        s.execute(update(Component).values(created_at=NOW - timedelta(days=120)))
        for day in range(1, 90):  # an outage somewhere every day: every bar has cells of every kind
            u = service.declare(s, title=f"Outage {day} of a typical length of title", impact="critical",
                                changes=[(f"service-{day % 20:02d}", None), (f"service-{day * 7 % 20:02d}", None)],
                                body="Investigating.", at=NOW - timedelta(days=day, hours=2),
                                now=NOW - timedelta(days=day, hours=2))
            service.resolve(s, incident_id=u.incident_id, body="Resolved.",
                            now=NOW - timedelta(days=day, hours=1), at=NOW - timedelta(days=day, hours=1))
        for n in range(5):
            service.declare(s, title=f"Errors on service {n} for some customers in one region",
                            changes=[(f"service-{n:02d}", None)], impact="major",
                            body="We are investigating elevated error rates and will update within 30 minutes. " * 3,
                            now=NOW - timedelta(minutes=n))
        for day in range(1, 14):
            for k in range(2):
                u = service.declare(s, title=f"Past incident {day}-{k} with a typical length of title",
                                    body="Investigating.", at=NOW - timedelta(days=day, hours=k),
                                    now=NOW - timedelta(days=day, hours=k))
                service.resolve(s, incident_id=u.incident_id, body="Resolved.",
                                now=NOW - timedelta(days=day, hours=k - 1), at=NOW - timedelta(days=day, hours=k - 1))
    StatuspagePublisher(core.context).build(NOW)
    site = Path(core.config.site_dir)
    files = [site / "index.html", *site.glob("assets/*.css"), *site.glob("assets/*.js")]  # names carry a hash
    size = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
    print(f"front page with HTML+CSS+JS: {size} bytes gzip (level 6), {sum(f.stat().st_size for f in files)} raw")
    page = read(core, "index.html")
    assert page.count('<div class="bar" role="img" tabindex="0"') == 20
    assert page.count('<i class="u-') == 20 * 90 and 'class="u-major_outage"' in page
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page.replace(f'href="{core.config.public_url}', ""))
    core.engine.dispose()
    assert size < 60_000


def test_only_web_thread_links_are_linked(core: Core, publisher: StatuspagePublisher) -> None:
    """A thread URL that is not http(s) (say `javascript:`) is never put in a link."""
    numbers = sample(core)
    with db.transaction(core.sessions) as s:
        for thread in s.scalars(select(Thread).where(Thread.incident_id == numbers["live"])):
            thread.url = "javascript:alert(1)" if thread.publisher == "forum" else thread.url
    publisher.build(NOW)
    html = read(core, f"incidents/{numbers['live']}/index.html")
    assert 'href="javascript:' not in html and "Forum thread" not in html and "Tweet thread" in html

"""History feeds: valid Atom and RSS, one entry per incident carrying its update trail."""

from __future__ import annotations

import re
import xml.parsers.expat
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import feedparser

from bot.core import Core
from bot.domain import service
from bot.store import db
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW

INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0 Char


def parse(core: Core, name: str) -> feedparser.FeedParserDict:
    return feedparser.parse((Path(core.config.site_dir) / name).read_bytes())


def test_atom_parses_with_statuspage_ids(core: Core, built: dict[str, int]) -> None:
    """history.atom parses cleanly; entries have tag ids, links to incident pages and the escaped trail."""
    feed = parse(core, "history.atom")
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10" and len(feed.entries) == 4
    live = next(e for e in feed.entries if e.id == f"tag:status.example.test,2005:Incident/{built['live']}")
    assert live.link == f"https://status.example.test/incidents/{built['live']}/"
    assert live.title == 'Checkout <script>alert(1)</script> & "quotes"'
    html = live.content[0].value
    assert html.index("Identified") < html.index("Investigating") and "2010-09-02 07:00 PDT (14:00 UTC)" in html
    assert "<script" not in html and "<img" not in html and "&lt;img src=x" in html


def test_rss_parses_with_links_as_guids(core: Core, built: dict[str, int]) -> None:
    """history.rss parses cleanly; each item's guid is its link and it carries an RFC 822 date."""
    feed = parse(core, "history.rss")
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20" and len(feed.entries) == 4
    for entry in feed.entries:
        assert entry.id == entry.link and entry.link.startswith("https://status.example.test/incidents/")
        assert entry.published_parsed is not None and "<strong>" in entry.description
    assert {e.title for e in feed.entries} >= {"Database upgrade", "Slow admin", "Last month"}


def test_rss_names_itself_and_its_language(core: Core, built: dict[str, int]) -> None:
    """The RSS channel carries `atom:link rel="self"` to its own URL and a `<language>` (as validators ask)."""
    root = ElementTree.fromstring((Path(core.config.site_dir) / "history.rss").read_bytes())
    channel = root.find("channel")
    assert channel is not None
    (self_link,) = channel.findall("{http://www.w3.org/2005/Atom}link")
    assert self_link.attrib == {"href": "https://status.example.test/history.rss", "rel": "self",
                                "type": "application/rss+xml"}
    assert channel.findtext("language") == "en-us"
    assert parse(core, "history.rss").feed.language == "en-us"


def test_feeds_link_remote_images_instead_of_embedding_them(core: Core, built: dict[str, int],
                                                             publisher: StatuspagePublisher) -> None:
    """A remote Markdown image reaches feed readers as a link, so no reader loads a third-party host."""
    with db.transaction(core.sessions) as s:
        service.post_update(s, incident_id=built["live"], status="monitoring", publishers=["statuspage"],
                            body="Latency: ![the graph](https://evil.example/p.png)", now=NOW)
    publisher.build(NOW)
    for name in ("history.atom", "history.rss"):
        feed = parse(core, name)
        entry = next(e for e in feed.entries if e.link.endswith(f"/incidents/{built['live']}/"))
        html = entry.content[0].value if name.endswith("atom") else entry.description
        assert '<a href="https://evil.example/p.png">the graph</a>' in html and "<img" not in html


def test_control_characters_stored_in_texts_never_break_the_feeds(core: Core, built: dict[str, int],
                                                                  publisher: StatuspagePublisher) -> None:
    """ESC, BEL and other XML-invalid characters stored through the domain leave every feed strict XML."""
    hostile = "Red \x1b[31malert\x1b[0m\x07 \x1b]0;title\x07 done\x01\x0b\x0c\ufffe"  # (PostgreSQL refuses NUL)
    with db.transaction(core.sessions) as s:
        opened = service.declare(s, title=f"Checkout {hostile}", body=hostile, publishers=["statuspage"],
                                 at=NOW - timedelta(minutes=5), now=NOW - timedelta(minutes=5))
        service.post_update(s, incident_id=opened.incident_id, status="identified", body=f"*{hostile}*",
                            publishers=["statuspage"], now=NOW)
    publisher.build(NOW)
    site = Path(core.config.site_dir)
    for name in ("history.atom", "history.rss"):
        expat = xml.parsers.expat.ParserCreate()
        expat.Parse((site / name).read_bytes(), True)  # raises ExpatError on any invalid character
        feed = parse(core, name)
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert any(e.title == "Checkout Red [31malert[0m ]0;title done" for e in feed.entries)
    for page in site.rglob("*.html"):
        assert not INVALID_XML.search(page.read_text(encoding="utf-8")), page

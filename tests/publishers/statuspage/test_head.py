"""What every built page carries in its head, and what is built beside the pages: a description,
content-hashed assets, the 404 page."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

from bot.config import load_config
from bot.core import Core
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, XSS_TITLE
from tests.support import make_env


class Head(HTMLParser):
    """The meta tags and stylesheet/script links of a page, with entities decoded."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("name"):
            self.meta[str(found["name"])] = found.get("content") or ""
        if (tag == "link" and found.get("rel") == "stylesheet") or (tag == "script" and found.get("src")):
            self.links.append(str(found.get("href") or found.get("src")))


def pages(site: Path, built: dict[str, int]) -> dict[str, Path]:
    """One page of each kind the builder writes."""
    return {"front": site / "index.html", "incident": site / f"incidents/{built['live']}/index.html",
            "window": site / f"incidents/{built['window']}/index.html", "month": site / "history/2010-09/index.html",
            "history": site / "history/index.html", "404": site / "404.html"}


def test_every_page_has_its_own_description(core: Core, built: dict[str, int]) -> None:
    """Front, incident, window, month, history and 404 pages each carry a distinct meta description."""
    site = Path(core.config.site_dir)
    found = {kind: Head(path.read_text(encoding="utf-8")).meta.get("description", "")
             for kind, path in pages(site, built).items()}
    assert all(len(text) > 30 and "Herald Status" in text for text in found.values()), found
    assert len(set(found.values())) == len(found)
    assert XSS_TITLE in found["incident"] and "Identified" in found["incident"]
    assert found["window"].startswith("Scheduled maintenance #") and "September 2010" in found["month"]
    raw = pages(site, built)["incident"].read_text(encoding="utf-8")
    assert "<script>alert" not in raw.split("<body>")[0]  # the title is escaped inside the attribute


def test_assets_are_named_by_their_content(core: Core, built: dict[str, int]) -> None:
    """Pages link `assets/<name>.<hash>.<ext>` files that exist, whose hash is of their own bytes."""
    site = Path(core.config.site_dir)
    links = Head((site / "index.html").read_text(encoding="utf-8")).links
    assert len(links) == 2
    for link in links:
        match = re.fullmatch(r"assets/(site|tz)\.([0-9a-f]{12})\.(css|js)", link)
        assert match, link
        assert hashlib.sha256((site / link).read_bytes()).hexdigest()[:12] == match.group(2)
    deep = Head(pages(site, built)["incident"].read_text(encoding="utf-8")).links
    assert deep == [f"../../{link}" for link in links]


def test_a_changed_stylesheet_gets_a_new_name(database_url: str, tmp_path: Path) -> None:
    """An operator's override of site.css is written under a new hashed name and linked from the pages."""
    overrides = tmp_path / "templates" / "site" / "static"
    overrides.mkdir(parents=True)
    (overrides / "site.css").write_text("body{color:rebeccapurple}", encoding="utf-8")
    names = []
    for extra in ({}, {"HERALD_TEMPLATES_DIR": str(tmp_path / "templates")}):
        core = create_core(load_config(make_env(database_url, tmp_path, **extra)))
        StatuspagePublisher(core.context).build(NOW)
        names.append(Head((Path(core.config.site_dir) / "index.html").read_text(encoding="utf-8")).links[0])
        core.engine.dispose()
    assert names[0] != names[1]
    assert (tmp_path / "site" / names[1]).read_text(encoding="utf-8") == "body{color:rebeccapurple}"


def test_the_404_page_uses_the_layout_from_the_site_root(core: Core, built: dict[str, int]) -> None:
    """404.html is a full page of the site whose links work at any depth (they start at the site's path)."""
    html = (Path(core.config.site_dir) / "404.html").read_text(encoding="utf-8")
    assert "<h1>Page not found</h1>" in html and 'href="/history/"' in html
    assert all(link.startswith("/assets/") for link in Head(html).links)

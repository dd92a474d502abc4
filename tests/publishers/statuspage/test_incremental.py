"""Incremental and atomic: one update rewrites a bounded set of files; readers never see a partial file."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace
from pathlib import Path

from bot.core import Core
from bot.domain import service
from bot.domain.snapshots import Event, incident_view, update_view
from bot.store import db
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW
from tests.publishers.statuspage.history import seed

BOUND = 16  # incident page, its month, history index, front page, 2 feeds, 8 API files (+ slack)


def links_resolve(root: Path, paths: list[str]) -> list[str]:
    """Relative links in the HTML files `paths` that point at no file of the site."""
    broken = []
    for path in (p for p in paths if p.endswith(".html")):
        for href in re.findall(r'href="([^"#:?]+/?)"', (root / path).read_text(encoding="utf-8")):
            target = (root / path).parent / href
            if not (target / "index.html" if href.endswith("/") else target).is_file():
                broken.append(f"{path} → {href}")
    return broken


def test_one_update_rewrites_a_bounded_set_of_files(core: Core, publisher: StatuspagePublisher) -> None:
    """With 2,000 incidents, one update rewrites at most 16 files, its page first and the front page last."""
    seed(core, incidents=2000, now=NOW)
    publisher.build(NOW)
    root = Path(core.config.site_dir)
    assert len(list(root.glob("incidents/*/index.html"))) == 2000
    writer = publisher.builder.writer
    with db.transaction(core.sessions) as s:
        update = service.post_update(s, incident_id=1990, body="A postscript: the cause was a full disk.", now=NOW)
        event = Event(incident_view(update.incident, core.config.public_url), update_view(update))
    before = len(writer.written)
    receipt = publisher.publish(event, publisher.render(event), None)
    written = writer.written[before:]
    assert receipt.url == "https://status.example.test/incidents/1990/"
    assert len(written) <= BOUND and written[0] == "incidents/1990/index.html" and written[-1] == "index.html"
    assert "history.atom" in written and "api/v2/incidents.json" in written
    assert "A postscript: the cause was a full disk." in (root / "incidents/1990/index.html").read_text()
    assert links_resolve(root, written) == []


def test_a_parallel_build_writes_every_page_once(core: Core, publisher: StatuspagePublisher) -> None:
    """A build on two forked renderers writes every incident page and reports each path once."""
    seed(core, incidents=500, now=NOW)
    changed = publisher.build(NOW, jobs=2)
    written = publisher.builder.writer.written
    pages = [p for p in written if p.startswith("incidents/")]
    assert len(pages) == len(set(pages)) == 500 and changed == len(written)
    root = Path(core.config.site_dir)
    assert all((root / p).read_text(encoding="utf-8").rstrip().endswith("</html>") for p in pages)
    assert links_resolve(root, ["index.html"]) == []


def test_links_never_point_at_missing_pages(core: Core, publisher: StatuspagePublisher) -> None:
    """An update to one incident on a site that lacks other linked pages writes those pages too."""
    seed(core, incidents=30, now=NOW)
    publisher.build(NOW)
    root = Path(core.config.site_dir)
    for number in (29, 28):
        (root / f"incidents/{number}/index.html").unlink()
    publisher.refresh(30, NOW)
    assert links_resolve(root, ["index.html", "history/index.html"] +
                         [str(p.relative_to(root)) for p in root.glob("history/*/index.html")]) == []


def test_reader_never_sees_a_partial_file_during_a_rebuild(core: Core, publisher: StatuspagePublisher) -> None:
    """A thread reading pages, feeds and JSON while every file is rewritten always reads a whole document."""
    seed(core, incidents=300, now=NOW)
    publisher.build(NOW)
    root = Path(core.config.site_dir)
    watched = ["index.html", "incidents/150/index.html", "history.atom", "api/v2/summary.json", "api/v2/incidents.json"]
    done, bad, reads = threading.Event(), [], [0]

    def whole(path: str, text: str) -> bool:
        if path.endswith(".json"):
            try:
                json.loads(text)
                return True
            except ValueError:
                return False
        return text.rstrip().endswith("</html>" if path.endswith(".html") else "</feed>")

    def read() -> None:
        while not done.is_set():
            for path in watched:
                text = (root / path).read_text(encoding="utf-8")
                reads[0] += 1
                if not whole(path, text):
                    bad.append(path)

    renamed = core.config.model_copy(update={"page_name": "Renamed Status"})  # every file changes
    rebuilder = StatuspagePublisher(replace(core.context, config=renamed))
    reader = threading.Thread(target=read)
    reader.start()
    try:
        changed = rebuilder.build(NOW)
    finally:
        done.set()
        reader.join(timeout=30)
    assert changed >= 300 and reads[0] > 0 and bad == []
    assert "Renamed Status" in (root / "incidents/150/index.html").read_text()
    assert list(root.rglob("*.tmp")) == []

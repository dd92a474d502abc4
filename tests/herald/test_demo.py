"""`herald demo`: the 2010 history replayed through the real path, checked as a reader would see it."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from twitter_text import parse_tweet

from bot.domain.models import Delivery, Incident, Thread
from herald.cli import main
from herald.demo import load_history


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run `herald demo --no-serve` once into a fresh folder; returns the folder and what it printed."""
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--dir", str(folder)], env={"DATABASE_URL": ""},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_replay_reports_every_entry(demo: tuple[Path, str]) -> None:
    """The summary counts 28 incidents and 11 maintenance windows and says where to look."""
    _, output = demo
    assert "Replayed 28 incidents and 11 maintenance windows" in output
    assert "sandbox/index.html" in output


def test_site_has_a_page_for_each_of_the_39_entries(demo: tuple[Path, str]) -> None:
    """Every entry of the history has its own page, and the history pages link them all."""
    folder, _ = demo
    site = folder / "site"
    assert sorted(int(p.name) for p in (site / "incidents").iterdir()) == list(range(1, 40))
    linked = set()
    for page in (site / "history").rglob("index.html"):
        linked |= set(re.findall(r'incidents/(\d+)/', page.read_text()))
    assert len(linked) == 39


@pytest.mark.parametrize("expected", [
    "2010-06-21 1:28pm–11:15pm PDT (2010-06-21 20:28 – 2010-06-22 06:15 UTC)",
    "2010-01-21 2:44pm – 2010-01-22 9:11am PST (2010-01-21 22:44 – 2010-01-22 17:11 UTC)",
    "2010-09-02 2:03am–2:10am PDT (09:03–09:10 UTC)",
    "2010-08-30 8:30pm–11:59pm PDT (2010-08-31 03:30–06:59 UTC)",
])
def test_spec_formatted_ranges_are_on_the_site(demo: tuple[Path, str], expected: str) -> None:
    """The seed's broken ranges now read in the SPEC format, with the right abbreviation and UTC."""
    folder, _ = demo
    pages = "".join(p.read_text() for p in (folder / "site" / "incidents").rglob("index.html"))
    assert expected in re.sub(r"<span[^>]*>|</span>", "", pages)


def test_postscript_follows_resolution(demo: tuple[Path, str]) -> None:
    """The 2010-04-08 postscript is stored after the Easter incident's resolution and shown on its page."""
    folder, _ = demo
    engine = create_engine(f"sqlite:///{folder / 'herald.db'}")
    with Session(engine) as session:
        easter = session.scalars(select(Incident).where(Incident.title.like("%Easter%"))).one()
        events = [(u.event, u.status) for u in easter.updates]
        page = (folder / "site" / "incidents" / str(easter.id) / "index.html").read_text()
    engine.dispose()
    assert events == [("declare", "investigating"), ("resolve", "resolved"), ("postscript", "resolved")]
    assert "Some transaction data was in fact lost" in page
    assert "2010-04-08 12:00pm PDT (19:00 UTC)" in re.sub(r"<span[^>]*>|</span>", "", page)


def test_sandbox_has_a_tweet_thread_and_forum_thread_per_entry(demo: tuple[Path, str]) -> None:
    """Each entry has a tweet thread (each tweet replying to the one before) and a forum thread."""
    folder, _ = demo
    history = load_history()["incidents"]
    for channel in ("twitter", "forum"):
        files = sorted((folder / "sandbox" / channel).glob("incident-*.jsonl"))
        assert len(files) == len(history) == 39
        for path in files:
            posts = [json.loads(line) for line in path.read_text().splitlines()]
            assert posts[0]["in_reply_to"] is None
            assert all(b["in_reply_to"] == a["id"] for a, b in zip(posts, posts[1:], strict=False))
    index = (folder / "site" / "sandbox" / "index.html").read_text()
    assert sorted(int(n) for n in re.findall(r'<a href="(\d+)/">', index)) == list(range(1, 40))
    for number in range(1, 40):
        page = (folder / "site" / "sandbox" / str(number) / "index.html").read_text()
        assert page.count('<h2 id="twitter">Tweet thread</h2>') == page.count('<h2 id="forum">Forum thread</h2>') == 1


def test_every_tweet_fits(demo: tuple[Path, str]) -> None:
    """Every sandboxed tweet weighs at most 280 by the twitter-text rules and ends with its link."""
    folder, _ = demo
    for path in (folder / "sandbox" / "twitter").glob("incident-*.jsonl"):
        for line in path.read_text().splitlines():
            tweet = json.loads(line)
            assert parse_tweet(tweet["text"]).weightedLength <= 280
            assert tweet["text"].rstrip().endswith("/")


def test_every_delivery_is_sent_and_the_status_page_ones_carry_their_receipts(demo: tuple[Path, str]) -> None:
    """All 604 deliveries end sent; each status page one names its update and page, as a publish would."""
    folder, _ = demo
    engine = create_engine(f"sqlite:///{folder / 'herald.db'}")
    with Session(engine) as session:
        rows = list(session.scalars(select(Delivery)))
        page_rows = [d for d in rows if d.publisher == "statuspage"]
        threads = session.scalars(select(Thread).where(Thread.publisher == "statuspage")).all()
        expected = {d.id: f"{d.incident_id}/{d.update.number}/{d.revision}" for d in page_rows}
    engine.dispose()
    assert len(rows) == 604 and {d.state for d in rows} == {"sent"}
    assert len(page_rows) == 151 and len(threads) == 39
    for d in page_rows:
        assert d.external_id == expected[d.id] and d.url == f"http://127.0.0.1:8000/incidents/{d.incident_id}/"


def test_a_port_in_use_is_refused_before_the_replay(tmp_path: Path) -> None:
    """`herald demo --port N` with N taken exits 1 at once, says what to do, and replays nothing."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["demo", "--port", str(port), "--dir", str(tmp_path / "demo")],
                                    env={"DATABASE_URL": ""})
    assert result.exit_code == 1
    assert f"port {port} is in use: stop what uses it or run `herald demo --port {port + 1}`" in result.output
    assert not (tmp_path / "demo").exists()


def test_a_folder_with_a_real_database_is_never_replaced(tmp_path: Path) -> None:
    """`herald demo --dir .` where a real herald.db lives is refused; the database keeps every byte."""
    real = tmp_path / "herald.db"
    real.write_bytes(b"SQLite format 3\x00 a real deployment's data")
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--dir", str(tmp_path)], env={"DATABASE_URL": ""})
    assert result.exit_code == 1 and "holds a herald.db the demo did not make" in result.output
    assert real.read_bytes() == b"SQLite format 3\x00 a real deployment's data"

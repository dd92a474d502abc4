"""A self-running window as customers see it: the status page, the tweet thread and the forum topic."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import load_config
from bot.core import Core
from bot.delivery.worker import Worker
from bot.domain.models import Delivery
from herald.app import create_core
from tests.bot.schedule.scheduling import END, MIN, T, incident, jobs_of, schedule
from tests.fakes.discourse import FakeDiscourse
from tests.fakes.twitter import FakeTwitter
from tests.support import eventually, make_env

WINDOW = "2010-09-02 02:03–04:03 PDT (09:03–11:03 UTC)"


@dataclass
class World:
    """Herald with every channel on fakes, and a worker on a clock the test moves."""

    core: Core
    worker: Worker
    clock: list[datetime]
    twitter: FakeTwitter
    forum: FakeDiscourse
    site: Path

    def at(self, now: datetime) -> None:
        """Move the clock to `now`, run one worker turn and wait until every delivery is sent."""
        self.clock[0] = now
        self.worker.turn()
        eventually(lambda: self.worker.fill() >= 0 and not self.worker.held() and self.pending() == 0,
                   timeout=30, what="every delivery to finish")

    def pending(self) -> int:
        """Deliveries not yet sent."""
        with self.core.sessions() as s:
            return s.scalar(select(func.count(Delivery.id)).where(Delivery.state != "sent")) or 0

    def page(self, path: str = "index.html") -> str:
        """A status page file, with tags and repeated whitespace removed."""
        return " ".join(re.sub(r"<[^>]+>", " ", (self.site / path).read_text()).split())

    def section(self, name: str) -> str:
        """The text of one front-page section (Current status / Scheduled maintenance / Past incidents)."""
        text = self.page()
        heads = ["Current status", "Scheduled maintenance", "Past incidents"]
        start = text.index(name)
        ends = [text.index(h) for h in heads if text.index(h) > start]
        return text[start:min(ends, default=len(text))]


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    """Status page, Twitter and forum publishers pointed at fakes on 127.0.0.1."""
    with FakeTwitter() as twitter, FakeDiscourse() as forum:
        env = make_env(database_url, tmp_path, HERALD_PUBLISHERS="statuspage,twitter,forum", HERALD_WORKER_POLL="0.2",
                       **twitter.env(), **forum.env())
        core = create_core(load_config(env))
        assert core.publisher_names == ["statuspage", "twitter", "forum"], core.registry.failures
        clock = [T - timedelta(hours=3)]
        yield World(core, Worker(core, now=lambda: clock[0]), clock, twitter, forum, tmp_path / "site")
        core.engine.dispose()


def test_every_channel_shows_each_transition_with_spec_times(world: World) -> None:
    """Future before the start, Present while it runs, Past after: each channel told at each step."""
    number = schedule(world.core)
    world.at(T - timedelta(hours=3))
    assert "DB upgrade" in world.section("Scheduled maintenance") and WINDOW in world.section("Scheduled maintenance")
    world.at(T - timedelta(hours=1))
    assert "begins in 1 h, " + WINDOW in world.page(f"incidents/{number}/index.html")
    world.at(T)
    assert incident(world.core, number).status == "in_progress", jobs_of(world.core, number)
    present = world.section("Current status")
    assert "DB upgrade" in present and "under maintenance" in present.lower()
    assert "no scheduled maintenance" in world.section("Scheduled maintenance")
    world.at(END + 5 * MIN)  # the worker was a few minutes late for the end: the texts say so
    assert "DB upgrade" not in world.section("Current status")
    assert "Completed" in world.page(f"incidents/{number}/index.html")  # The Past lists the last 14 real days
    late = "This notice comes late: the window was due to end at 2010-09-02 04:03 PDT (11:03 UTC)."
    assert late in world.page(f"incidents/{number}/index.html")
    [thread] = world.twitter.posts_per_thread().values()
    assert thread == 4
    tweets = [t.text for t in world.twitter.tweets.values()]
    assert [t.splitlines()[0] for t in tweets] == [
        "Scheduled maintenance: DB upgrade", "Update · Scheduled: DB upgrade",
        "Maintenance in progress: DB upgrade", "Maintenance completed: DB upgrade"]
    assert all("2010-09-02 02:03" in t and "…" not in t for t in tweets)
    assert late in tweets[3] and "2010-09-02 02:03–04:08 PDT (09:03–11:08 UTC)" in tweets[3]
    [topic] = world.forum.topics.values()
    raws = [world.forum.posts[p]["raw"] for p in topic["posts"]]
    assert len(raws) == 4 and "begins in 1 h, " + WINDOW in raws[1] and late in raws[3]

"""Twitter and the forum together: one incident reaches both, with the same time strings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import Core
from bot.text.times import format_instant, format_range
from publishers.forum import ForumPublisher
from publishers.twitter import TwitterPublisher
from tests.fakes.discourse import FakeDiscourse
from tests.fakes.incidents import Story, context, deliver, herald
from tests.fakes.twitter import FakeTwitter


@pytest.fixture
def both(database_url: str, tmp_path: Path) -> Iterator[tuple[Core, FakeTwitter, FakeDiscourse]]:
    """A Herald wired to a fake X API and a fake Discourse."""
    with FakeTwitter() as x, FakeDiscourse() as discourse, \
            herald(database_url, tmp_path, **x.env(), **discourse.env()) as core:
        yield core, x, discourse


def test_declare_update_resolve_reaches_both_with_identical_times(
        both: tuple[Core, FakeTwitter, FakeDiscourse]) -> None:
    """One tweet thread and one topic; every time string in them is byte-identical to the formatter's."""
    core, x, discourse = both
    twitter, forum = TwitterPublisher(context(core)), ForumPublisher(context(core))
    story, threads = Story(core), {"twitter": None, "forum": None}
    events = [story.declare(), story.update("We found the cause.", status="identified"), story.resolve()]
    for event in events:
        for publisher in (twitter, forum):
            _, threads[publisher.name] = deliver(publisher, event, threads[publisher.name])
    tweets = [t.text for t in x.chain(threads["twitter"].last_id)]  # type: ignore[union-attr]
    (topic,) = discourse.topics.values()
    posts = [discourse.posts[p]["raw"] for p in topic["posts"]]
    assert len(tweets) == len(posts) == 3
    final = story.event(3).incident
    stamps = [format_instant(e.update.display_at, core.clock) for e in events]
    assert stamps[0] == "2010-09-02 02:03 PDT (09:03 UTC)"
    for stamp, tweet, post in zip(stamps[:2], tweets, posts, strict=False):
        assert stamp in tweet and stamp in post
    span = format_range(final.starts, final.ends, core.clock)  # type: ignore[arg-type]
    assert span == "2010-09-02 02:03–02:17 PDT (09:03–09:17 UTC)" and span in tweets[2] and span in posts[2]


def test_preview_renders_both_without_sending(both: tuple[Core, FakeTwitter, FakeDiscourse]) -> None:
    """render() is pure: it gives the tweet's weighted length and the topic title and sends nothing."""
    core, x, discourse = both
    event = Story(core).declare()
    tweet, post = TwitterPublisher(context(core)).render(event), ForumPublisher(context(core)).render(event)
    assert tweet.meta["weighted_length"] <= 280 and post.title == "[Investigating] Checkout errors"
    assert x.requests == [] and discourse.requests == []

"""A reopened incident as every channel renders it: each says it was reopened, and with what status."""

from __future__ import annotations

from dataclasses import replace

from bot.core import Core
from bot.plugins.sandbox import sandbox_config
from publishers.forum import ForumPublisher
from publishers.slack import SlackPublisher
from publishers.statuspage import StatuspagePublisher
from publishers.twitter import TwitterPublisher
from tests.fakes.incidents import Story, context


def test_every_channel_says_reopened(core: Core) -> None:
    """Tweet, forum reply, Slack announcement and status page update each mark the reopen and its status."""
    story = Story(core)
    story.declare()
    story.resolve()
    event = story.reopen(status="identified")
    assert event.update.event == "reopen"
    built = replace(context(core), config=sandbox_config(core.config))  # placeholder credentials, never used
    tweet = TwitterPublisher(built).render(event).text
    forum = ForumPublisher(built).render(event)
    slack = SlackPublisher(built).render(event).text
    page = StatuspagePublisher(built).render(event).meta["html"]
    assert tweet.startswith("Reopened · Identified: Checkout errors\nPayments fail again.")
    assert forum.text.startswith("**Reopened · Identified** · ") and forum.title == "[Identified] Checkout errors"
    assert "*Checkout errors* · Reopened · Identified" in slack
    assert '<span class="badge">Reopened</span>' in page

"""Twitter (X API v2 through tweepy, OAuth 1.0a user context): one thread per incident.

The first event of an incident starts the thread; every later one, corrections included, replies to
the thread's last tweet. Text comes from templates/twitter/<event>.j2 (corrections from
correction.j2) with the message as plain text (Markdown marks dropped, links as `label (url)`),
cut at a word boundary with `…` so it fits 280 weighted characters; every template ends with the
incident URL, so a cut tweet still links to the whole story.

X answers a repeated text with a 403 "duplicate content": that means an earlier attempt got through
(its answer was lost), so it counts as sent, and the tweet's id is recovered from the account's
recent tweets to keep the reply chain intact.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import requests
import tweepy

from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import Config, Publisher, Receipt, Rendered
from bot.text.templating import render
from publishers.twitter import text as tweet_text
from publishers.twitter.client import classify, is_duplicate, make_client

log = logging.getLogger(__name__)
STATUS_URL = "https://x.com/i/web/status/{id}"
RECENT = 50  # how many of the account's latest tweets a duplicate is looked for in


class TwitterPublisher(Publisher):
    """Posts each update as a tweet in the incident's thread."""

    name = "twitter"
    label = "Twitter"
    sandboxable, public_thread, tweets = True, True, True
    order, thread_name, post_format = 10, "Tweet thread", "plain"
    settings = ("TWITTER_API_KEY", "TWITTER_API_SECRET", "TWITTER_ACCESS_TOKEN", "TWITTER_ACCESS_TOKEN_SECRET")

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._client: tweepy.Client | None = None
        self._user_id: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def configured(cls, config: Config) -> bool:
        """True when the four OAuth 1.0a settings are present."""
        return config.twitter_configured

    @property
    def client(self) -> tweepy.Client:
        """The tweepy client, built on first use."""
        with self._lock:
            if self._client is None:
                config = self.context.config
                self._client = make_client(config, timeout=config.publish_timeout)
            return self._client

    def render(self, event: Event) -> Rendered:
        """The tweet for `event`, cut to fit (a kind without a template reads as an update); meta has its length."""
        wanted = "correction" if event.is_correction else event.update.event
        name = self.context.templates.select_template([f"twitter/{wanted}.j2", "twitter/update.j2"]).name or ""
        text = self._fit(name, event)
        return Rendered(self.name, text, meta={"weighted_length": tweet_text.weighted_length(text),
                                               "max_weighted_length": tweet_text.MAX_WEIGHTED})

    def _fit(self, name: str, event: Event) -> str:
        def compose(body: str) -> str:
            return render(self.context.templates, name, incident=event.incident, update=event.update, body=body)

        body = tweet_text.plain(event.update.body)  # the stored message is Markdown
        full = compose(body)
        if tweet_text.fits(full):
            return full
        shorter = tweet_text.shorten(body, compose)
        return shorter or tweet_text.cut_with_url(full, event.incident.url)

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Tweet `rendered`, replying to the thread's last tweet when there is one."""
        parent = thread.last_id if thread else None
        try:
            tweet_id: str | None = self._create(rendered.text, parent)
        except tweepy.HTTPException as exc:
            if not is_duplicate(exc):
                raise classify(exc) from exc
            tweet_id = self._recover(rendered.text)
        except requests.RequestException as exc:
            raise classify(exc) from exc
        return self._receipt(tweet_id, thread)

    def _create(self, text: str, parent: str | None) -> str:
        response = self.client.create_tweet(text=text, in_reply_to_tweet_id=parent, user_auth=True)
        return str(response.data["id"])

    def _recover(self, text: str) -> str | None:
        """The id of our earlier tweet with this text; None if X no longer lists it or won't let us look
        (some API access levels cannot read timelines): the tweet was sent either way."""
        try:
            if self._user_id is None:
                self._user_id = str(self.client.get_me(user_auth=True).data.id)
            recent = self.client.get_users_tweets(self._user_id, max_results=RECENT, user_auth=True)
        except (tweepy.HTTPException, requests.RequestException) as exc:
            error = classify(exc)
            if error.retryable:
                raise error from exc
            log.warning("duplicate tweet counted as sent; its id is unknown: %s", error.message)
            return None
        for tweet in recent.data or ():
            if tweet_text.same_post(text, tweet.text):
                return str(tweet.id)
        return None

    def _receipt(self, tweet_id: str | None, thread: ThreadView | None) -> Receipt:
        """What was sent; a duplicate whose tweet can't be found leaves the thread where it was."""
        last = tweet_id or (thread.last_id if thread else None)
        first = (thread.first_id if thread and thread.first_id else None) or last
        return Receipt(external_id=tweet_id, url=STATUS_URL.format(id=tweet_id) if tweet_id else None,
                       thread_first_id=first, thread_last_id=last,
                       thread_url=STATUS_URL.format(id=first) if first else None)

"""The Twitter publisher: the real tweepy client, over sockets, against the fake X API v2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from bot.core import Core
from bot.domain.snapshots import ThreadView
from bot.plugins.contract import PublishError
from publishers.twitter import TwitterPublisher
from publishers.twitter.text import weighted_length
from tests.fakes import Reply
from tests.fakes.incidents import Story, context, deliver, herald
from tests.fakes.twitter import FakeTwitter

REFS = Path(__file__).parents[2] / "fakes" / "refs" / "twitter"
LONG = " ".join(["The payment provider is timing out for card payments in every region we serve."] * 8)


@pytest.fixture
def api() -> Iterator[FakeTwitter]:
    """A fake X API on 127.0.0.1."""
    with FakeTwitter(slow_seconds=1.0, wait_seconds=30) as fake:
        yield fake


@pytest.fixture
def core(database_url: str, tmp_path: Path, api: FakeTwitter) -> Iterator[Core]:
    """A Herald whose Twitter settings point at the fake (and whose URLs X would count as 23)."""
    env = {**api.env(), "HERALD_PUBLIC_URL": "https://status.example.com", "HERALD_PUBLISH_TIMEOUT": "0.4"}
    with herald(database_url, tmp_path, **env) as built:
        yield built


@pytest.fixture
def twitter(core: Core) -> TwitterPublisher:
    """The publisher as the registry would build it."""
    return TwitterPublisher(context(core))


def test_declare_update_resolve_is_one_thread(core: Core, twitter: TwitterPublisher, api: FakeTwitter) -> None:
    """The first tweet opens the thread and each later update replies to the one before it."""
    story = Story(core)
    first, thread = deliver(twitter, story.declare(), None)
    second, thread = deliver(twitter, story.update("We found the cause.", status="identified"), thread)
    third, thread = deliver(twitter, story.resolve(), thread)
    chain = api.chain(thread.last_id or "")
    assert [t.id for t in chain] == [first.external_id, second.external_id, third.external_id]
    assert [t.in_reply_to for t in chain] == [None, first.external_id, second.external_id]
    assert thread.first_id == first.external_id and third.url == f"https://x.com/i/web/status/{third.external_id}"
    assert chain[1].text.startswith("Update · Identified: Checkout errors")
    assert all("Tweepy/" in r.headers["User-Agent"] for r in api.requests)


def test_correction_is_a_reply_marked_correction(core: Core, twitter: TwitterPublisher, api: FakeTwitter) -> None:
    """Editing an update tweets a reply that starts with "Correction:" and carries the new text."""
    story = Story(core)
    _, thread = deliver(twitter, story.declare(), None)
    _, thread = deliver(twitter, story.update("Card payments fail."), thread)
    receipt, thread = deliver(twitter, story.edit(2, "Card and PayPal payments fail."), thread)
    tweet = api.tweets[receipt.external_id or ""]
    assert tweet.text.startswith("Correction: Checkout errors\nCard and PayPal payments fail.")
    assert tweet.in_reply_to == api.chain(tweet.id)[-2].id and len(api.chain(tweet.id)) == 3


def test_long_update_is_cut_to_280_ending_in_the_incident_url(core: Core, twitter: TwitterPublisher,
                                                              api: FakeTwitter) -> None:
    """A 600-character message becomes a tweet of weighted length ≤ 280, cut at a word, ending in the URL."""
    story = Story(core)
    _, thread = deliver(twitter, story.declare(), None)
    event = story.update(LONG[:600])
    rendered = twitter.render(event)
    receipt, _ = deliver(twitter, event, thread)
    text = api.tweets[receipt.external_id or ""].text
    assert text == rendered.text and weighted_length(text) <= 280
    assert rendered.meta["weighted_length"] == weighted_length(text) > 250
    assert text.endswith("\n" + event.incident.url) and event.incident.url.startswith("https://status.example.com/")
    kept = text.split("\n")[1]
    assert kept.endswith("…") and LONG.startswith(kept[:-1]) and LONG[len(kept) - 1] == " "


def test_cjk_and_emoji_weigh_two(core: Core, twitter: TwitterPublisher) -> None:
    """CJK characters and emoji count 2 each, so 200 of them are cut to fit, still ending in the URL."""
    story = Story(core)
    plain = twitter.render(story.declare(body="Paiement"))
    cjk = twitter.render(story.update("決済が失敗"))
    emoji = twitter.render(story.update("🔥🔥🔥"))
    base = plain.meta["weighted_length"] - len("Paiement")
    assert cjk.meta["weighted_length"] - base == 10 + len("Update · Investigating: ") - len("Investigating: ")
    assert emoji.meta["weighted_length"] - cjk.meta["weighted_length"] == 6 - 10
    long = twitter.render(story.update("決済" * 100))
    assert long.meta["weighted_length"] <= 280 and "決済…" in long.text
    assert long.text.endswith(story.event(1).incident.url)


def test_duplicate_403_counts_as_sent_with_the_recovered_id(core: Core, twitter: TwitterPublisher,
                                                            api: FakeTwitter) -> None:
    """A tweet whose answer was lost is not posted twice: X's 403 duplicate is taken as sent, with its id."""
    story = Story(core)
    _, thread = deliver(twitter, story.declare(), None)
    event = story.update("We found the cause.")
    api.script("lost")
    with pytest.raises(PublishError) as lost:
        deliver(twitter, event, thread)
    assert lost.value.retryable
    receipt, thread = deliver(twitter, event, thread)
    posted = [t for t in api.tweets.values() if "We found the cause." in t.text]
    assert len(posted) == 1 and receipt.external_id == posted[0].id == thread.last_id
    assert [r.path for r in api.requests[-3:]] == ["/2/tweets", "/2/users/me", f"/2/users/{posted[0].author_id}/tweets"]
    _, thread = deliver(twitter, story.resolve(), thread)
    assert len(api.chain(thread.last_id or "")) == 3


def test_duplicate_counts_as_sent_even_when_the_timeline_is_closed(core: Core, twitter: TwitterPublisher,
                                                                    api: FakeTwitter) -> None:
    """If X won't show our timeline (403 on some access levels), a duplicate is still sent, id unknown."""
    story = Story(core)
    _, thread = deliver(twitter, story.declare(), None)
    event = story.update("We found the cause.")
    api.script("lost")
    with pytest.raises(PublishError):
        deliver(twitter, event, thread)
    closed = Reply(403, {"title": "Forbidden", "type": "about:blank", "status": 403,
                         "detail": "Your client app is not configured with the appropriate oauth1 app permissions"})
    api.script(None, None, closed)  # the POST (duplicate), users/me, then the timeline
    receipt, after = deliver(twitter, event, thread)
    assert receipt.external_id is None and receipt.url is None and after.last_id == thread.last_id
    assert sum("We found the cause." in t.text for t in api.tweets.values()) == 1


def test_rate_limit_429_waits_for_the_reset(core: Core, twitter: TwitterPublisher, api: FakeTwitter) -> None:
    """A 429 is retryable after the seconds until x-rate-limit-reset."""
    api.script("429")
    with pytest.raises(PublishError) as caught:
        deliver(twitter, Story(core).declare(), None)
    assert caught.value.retryable and 25 <= (caught.value.retry_after or 0) <= 31
    assert api.tweets == {}


def test_rate_limit_429_falls_back_to_retry_after(database_url: str, tmp_path: Path) -> None:
    """Without X's reset header, a 429's Retry-After says how long to wait."""
    with FakeTwitter(reset_header=False, wait_seconds=17) as api, herald(database_url, tmp_path, **api.env()) as core:
        api.script("429")
        with pytest.raises(PublishError) as caught:
            deliver(TwitterPublisher(context(core)), Story(core).declare(), None)
    assert caught.value.retryable and caught.value.retry_after == 17


def test_other_403_is_refused_with_xs_words(core: Core, twitter: TwitterPublisher, api: FakeTwitter) -> None:
    """A 403 that is not a duplicate (e.g. a suspended app) is not retried and says what X said."""
    api.script(Reply(403, {"title": "Forbidden", "type": "about:blank", "status": 403,
                           "detail": "You are not permitted to perform this action."}))
    with pytest.raises(PublishError) as caught:
        deliver(twitter, Story(core).declare(), None)
    assert not caught.value.retryable
    assert caught.value.message == "Twitter refused the post (403): You are not permitted to perform this action."


@pytest.mark.parametrize(("fault", "unknown"), [("5xx", False), ("drop", True), ("slow", True)])
def test_server_errors_drops_and_timeouts_are_retryable(core: Core, twitter: TwitterPublisher, api: FakeTwitter,
                                                        fault: str, unknown: bool) -> None:
    """503s, dropped connections and answers slower than the timeout all ask for a later retry; only the
    last two may have posted anyway (`unknown`)."""
    api.script(fault)
    with pytest.raises(PublishError) as caught:
        deliver(twitter, Story(core).declare(), None)
    assert caught.value.retryable and caught.value.retry_after is None
    assert caught.value.unknown is unknown


def test_bad_credentials_fail_for_a_human(database_url: str, tmp_path: Path, api: FakeTwitter) -> None:
    """A 401 is not retried and tells the operator which settings to check."""
    env = {**api.env(), "TWITTER_ACCESS_TOKEN_SECRET": "wrong"}
    with herald(database_url, tmp_path, **env) as core, pytest.raises(PublishError) as caught:
        deliver(TwitterPublisher(context(core)), Story(core).declare(), None)
    assert not caught.value.retryable and "TWITTER_ACCESS_TOKEN_SECRET" in caught.value.message
    assert api.tweets == {}


def test_reply_to_a_vanished_tweet_is_refused_with_xs_words(core: Core, twitter: TwitterPublisher) -> None:
    """A 400 from X is not retried, and its explanation reaches the receipt."""
    thread = ThreadView("twitter", "1", "1", None)
    with pytest.raises(PublishError) as caught:
        deliver(twitter, Story(core).declare(), thread)
    assert not caught.value.retryable
    assert "(400)" in caught.value.message and "deleted or not visible" in caught.value.message


def test_sent_bodies_match_the_x_api_spec(core: Core, twitter: TwitterPublisher, api: FakeTwitter) -> None:
    """Every body tweepy sent validates against CreatePostsRequest, and the fake's answers against the 201."""
    spec = json.loads((REFS / "openapi.json").read_text(encoding="utf-8"))
    story = Story(core)
    receipt, thread = deliver(twitter, story.declare(), None)
    deliver(twitter, story.update("More soon."), thread)
    request = Draft202012Validator({"$ref": "#/components/schemas/CreatePostsRequest", **spec})
    bodies = [r.body for r in api.requests if r.path == "/2/tweets"]
    assert len(bodies) == 2 and bodies[1]["reply"] == {"in_reply_to_tweet_id": receipt.external_id}
    for body in bodies:
        request.validate(body)
    answer = spec["paths"]["/2/tweets"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    created = api.create({"text": "A new post for the schema check"})
    Draft202012Validator({**answer, **spec}).validate(created.body)


def test_configured_needs_all_four_keys(core: Core, database_url: str, tmp_path: Path) -> None:
    """Twitter is enabled by default only when all four OAuth 1.0a settings are present."""
    assert TwitterPublisher.configured(core.config)
    with herald(database_url, tmp_path, TWITTER_API_KEY="k") as bare:
        assert not TwitterPublisher.configured(bare.config)


def test_markdown_message_is_tweeted_as_plain_text(core: Core, twitter: TwitterPublisher, api: FakeTwitter) -> None:
    """The stored Markdown message loses its marks in the tweet."""
    event = Story(core).declare(body="Card payments **fail**; see [details](https://example.com/d).")
    receipt, _ = deliver(twitter, event, None)
    assert "Card payments fail; see details (https://example.com/d)." in api.tweets[receipt.external_id or ""].text


def test_an_event_kind_without_a_template_reads_as_an_update(core: Core, twitter: TwitterPublisher) -> None:
    """A kind of event added later (no template yet) is tweeted with the update template, not dropped."""
    story = Story(core)
    story.declare()
    event = story.update("Still looking.")
    odd = replace(event, update=replace(event.update, event="reminder"))
    assert twitter.render(odd).text == twitter.render(event).text
    assert twitter.render(event).text.startswith("Update · Investigating: Checkout errors\nStill looking.")


def test_an_operator_template_overrides_the_tweet(database_url: str, tmp_path: Path, api: FakeTwitter) -> None:
    """A twitter/declare.j2 in HERALD_TEMPLATES_DIR replaces the built-in one, filters included."""
    (tmp_path / "mine" / "twitter").mkdir(parents=True)
    (tmp_path / "mine" / "twitter" / "declare.j2").write_text("Down: {{ incident.title }} at "
                                                              "{{ update.display_at|instant }} {{ incident.url }}")
    with herald(database_url, tmp_path, **api.env(), HERALD_TEMPLATES_DIR=str(tmp_path / "mine")) as core:
        rendered = TwitterPublisher(context(core)).render(Story(core).declare())
    assert rendered.text == ("Down: Checkout errors at 2010-09-02 02:03 PDT (09:03 UTC) "
                             "https://status.example.test/incidents/1/")

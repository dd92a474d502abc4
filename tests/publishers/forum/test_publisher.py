"""The forum publisher: httpx over sockets against the fake Discourse."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core import Core
from bot.domain.snapshots import ThreadView
from bot.plugins.contract import PublishError
from bot.store import db
from publishers.forum import ForumPublisher, external_id
from tests.fakes import Reply
from tests.fakes.discourse import FakeDiscourse
from tests.fakes.incidents import START, Story, context, deliver, herald


@pytest.fixture
def api() -> Iterator[FakeDiscourse]:
    """A fake Discourse on 127.0.0.1."""
    with FakeDiscourse(slow_seconds=1.0, wait_seconds=12) as fake:
        yield fake


@pytest.fixture
def core(database_url: str, tmp_path: Path, api: FakeDiscourse) -> Iterator[Core]:
    """A Herald whose forum settings point at the fake (category given by slug)."""
    with herald(database_url, tmp_path, **api.env(), HERALD_PUBLISH_TIMEOUT="0.4") as built:
        yield built


@pytest.fixture
def forum(core: Core) -> Iterator[ForumPublisher]:
    """The publisher as the registry would build it."""
    publisher = ForumPublisher(context(core))
    yield publisher
    publisher.client.close()


def test_declare_update_resolve_is_one_topic(core: Core, forum: ForumPublisher, api: FakeDiscourse) -> None:
    """One topic per incident, in the configured category, a reply per update, titled by the latest status."""
    story = Story(core)
    first, thread = deliver(forum, story.declare(), None)
    _, thread = deliver(forum, story.update("We found the cause.", status="identified"), thread)
    _, thread = deliver(forum, story.update("A fix is rolling out.", status="monitoring"), thread)
    last, thread = deliver(forum, story.resolve(), thread)
    topic = api.topic_by_external_id("herald-incident-1-20100902090300")
    assert topic is not None and api.posts_per_topic() == {topic["id"]: 4}
    assert topic["title"] == "[Resolved] Checkout errors" and topic["category_id"] == 5
    assert thread.first_id == str(topic["id"]) and thread.last_id == last.external_id
    assert thread.data["posts"] == {str(n): pid for n, pid in enumerate(topic["posts"], start=1)}
    assert last.url == f"{api.url}/t/{topic['slug']}/{topic['id']}/4" and first.url == thread.url + "/1"
    assert [api.posts[p]["raw"].split("\n")[0] for p in topic["posts"]] == [
        "**Investigating** · 2010-09-02 02:03 PDT (09:03 UTC)", "**Identified** · 2010-09-02 02:10 PDT (09:10 UTC)",
        "**Monitoring** · 2010-09-02 02:17 PDT (09:17 UTC)", "**Resolved** · 2010-09-02 02:24 PDT (09:24 UTC)"]


def test_first_post_carries_impact_components_and_time_range(core: Core, forum: ForumPublisher,
                                                             api: FakeDiscourse) -> None:
    """The topic's first post says how bad, which parts and since when, and links the status page."""
    event = Story(core).declare(impact="major")
    receipt, _ = deliver(forum, event, None)
    raw = api.posts[int(receipt.external_id or 0)]["raw"]
    assert "**Impact:** Major" in raw and "**Affected:** app (partial outage)" in raw
    assert "**When:** since 2010-09-02 02:03 PDT (09:03 UTC)" in raw
    assert "We are looking into failed payments." in raw and f"({event.incident.url})" in raw


def test_lost_answer_to_the_topic_is_found_by_external_id(core: Core, forum: ForumPublisher,
                                                          api: FakeDiscourse) -> None:
    """A topic created whose answer never came back is found again by its external_id, not made twice."""
    event = Story(core).declare()
    api.script(None, None, "lost")  # the external_id lookup, the category lookup, then the POST
    with pytest.raises(PublishError) as lost:
        deliver(forum, event, None)
    assert lost.value.retryable and len(api.topics) == 1
    receipt, thread = deliver(forum, event, None)
    topic = api.topic_by_external_id(external_id(event.incident))
    assert topic is not None and len(api.topics) == 1 and receipt.external_id == str(topic["posts"][0])
    assert [r.path for r in api.requests[-2:]] == [f"/t/external_id/{external_id(event.incident)}.json",
                                                   f"/t/{topic['slug']}/{topic['id']}.json"]
    assert thread.data["posts"] == {"1": topic["posts"][0]}


def test_crash_before_the_receipt_was_recorded_makes_no_second_topic_or_reply(
        core: Core, forum: ForumPublisher, api: FakeDiscourse) -> None:
    """Publishing the same events again with the thread the worker last recorded posts nothing new."""
    story = Story(core)
    declare, update = story.declare(), story.update("We found the cause.")
    first, thread = deliver(forum, declare, None)
    assert deliver(forum, declare, None)[0].external_id == first.external_id
    second, _ = deliver(forum, update, thread)
    again, _ = deliver(forum, update, thread)
    assert again.external_id == second.external_id and api.posts_per_topic() == {int(thread.first_id or 0): 2}


def test_lost_answer_to_a_reply_is_not_posted_twice(core: Core, forum: ForumPublisher, api: FakeDiscourse) -> None:
    """A reply whose answer was lost is recognised on the retry and recorded under its update number."""
    story = Story(core)
    _, thread = deliver(forum, story.declare(), None)
    event = story.update("We found the cause.")
    api.script(None, "lost")  # the topic read, then the POST
    with pytest.raises(PublishError):
        deliver(forum, event, thread)
    receipt, thread = deliver(forum, event, thread)
    topic_id = int(thread.first_id or 0)
    assert api.posts_per_topic() == {topic_id: 2}
    assert thread.data["posts"]["2"] == int(receipt.external_id or 0) == api.topics[topic_id]["posts"][1]


def test_edit_changes_the_post_in_place(core: Core, forum: ForumPublisher, api: FakeDiscourse) -> None:
    """A correction edits the update's own post (with a reason) and adds no post."""
    story = Story(core)
    _, thread = deliver(forum, story.declare(), None)
    posted, thread = deliver(forum, story.update("Card payments fail."), thread)
    _, thread = deliver(forum, story.update("Still on it."), thread)
    receipt, after = deliver(forum, story.edit(2, "Card and PayPal payments fail."), thread)
    post = api.posts[int(posted.external_id or 0)]
    assert receipt.external_id == posted.external_id and post["version"] == 2
    assert "Card and PayPal payments fail." in post["raw"] and post["raw"].startswith("**Investigating** · ")
    assert post["edit_reason"] == "Correction of the update of 2010-09-02 02:10 PDT (09:10 UTC)"
    assert api.posts_per_topic() == {int(thread.first_id or 0): 3} and after == thread


def test_edit_of_the_first_update_rewrites_the_topic_post(core: Core, forum: ForumPublisher,
                                                          api: FakeDiscourse) -> None:
    """Correcting the declaration edits the topic's first post, keeping its impact and time lines."""
    story = Story(core)
    first, thread = deliver(forum, story.declare(), None)
    deliver(forum, story.edit(1, "Card payments fail for some customers."), thread)
    raw = api.posts[int(first.external_id or 0)]["raw"]
    assert "Card payments fail for some customers." in raw and "**Impact:** Minor" in raw


def test_edit_without_a_post_fails_clearly(core: Core, forum: ForumPublisher) -> None:
    """Correcting an update that never reached the forum is not retried and says why."""
    story = Story(core)
    story.declare()
    with pytest.raises(PublishError) as caught:
        deliver(forum, story.edit(1, "Something else entirely."), None)
    assert not caught.value.retryable and "update 1 never reached the forum" in caught.value.message


def test_rate_limit_honours_wait_seconds(core: Core, forum: ForumPublisher, api: FakeDiscourse) -> None:
    """A 429 is retryable after Discourse's extras.wait_seconds."""
    api.script("429")
    with pytest.raises(PublishError) as caught:
        deliver(forum, Story(core).declare(), None)
    assert caught.value.retryable and caught.value.retry_after == 12


def test_422_is_reported_verbatim(core: Core, forum: ForumPublisher, api: FakeDiscourse) -> None:
    """Discourse's validation errors reach the receipt word for word, and are not retried."""
    errors = ["Title seems unclear, most of the words contain the same letters over and over?",
              "Body is limited to 32000 characters; you entered 40000."]
    api.script(None, None, Reply(422, {"action": "create_post", "errors": errors}))
    with pytest.raises(PublishError) as caught:
        deliver(forum, Story(core).declare(), None)
    assert not caught.value.retryable
    assert caught.value.message == "the forum refused it (422): " + "; ".join(errors)


@pytest.mark.parametrize(("fault", "unknown"), [("5xx", False), ("drop", True), ("slow", True)])
def test_server_errors_drops_and_timeouts_are_retryable(core: Core, forum: ForumPublisher, api: FakeDiscourse,
                                                        fault: str, unknown: bool) -> None:
    """503s, dropped connections and answers slower than the timeout ask for a later retry; only the
    last two may have posted anyway (`unknown`: the retry must wait for the forum to show it)."""
    api.script(fault)
    with pytest.raises(PublishError) as caught:
        deliver(forum, Story(core).declare(), None)
    assert caught.value.retryable and caught.value.retry_after is None
    assert caught.value.unknown is unknown


def test_bad_api_key_fails_for_a_human(database_url: str, tmp_path: Path, api: FakeDiscourse) -> None:
    """A refused key is not retried and names the settings to check."""
    with herald(database_url, tmp_path, **{**api.env(), "DISCOURSE_API_KEY": "wrong"}) as core, \
            pytest.raises(PublishError) as caught:
        deliver(ForumPublisher(context(core)), Story(core).declare(), None)
    assert not caught.value.retryable and "DISCOURSE_API_KEY" in caught.value.message
    assert "The API username or key is invalid." in caught.value.message


def test_category_by_id_needs_no_lookup(database_url: str, tmp_path: Path, api: FakeDiscourse) -> None:
    """A numeric DISCOURSE_CATEGORY is sent as is."""
    with herald(database_url, tmp_path, **api.env(category="1")) as core:
        deliver(ForumPublisher(context(core)), Story(core).declare(), None)
    assert [t["category_id"] for t in api.topics.values()] == [1]
    assert not [r for r in api.requests if r.path == "/categories.json"]


def test_unknown_category_fails_naming_the_choices(database_url: str, tmp_path: Path, api: FakeDiscourse) -> None:
    """A slug the forum lacks is a configuration error a person must fix, listing the slugs there are."""
    with herald(database_url, tmp_path, **api.env(category="incidents")) as core, \
            pytest.raises(PublishError) as caught:
        deliver(ForumPublisher(context(core)), Story(core).declare(), None)
    assert not caught.value.retryable and "status, uncategorized" in caught.value.message
    assert api.topics == {}


def test_reply_to_a_vanished_topic_is_not_retried(core: Core, forum: ForumPublisher) -> None:
    """A thread whose topic the forum no longer has fails for a human instead of looping."""
    with pytest.raises(PublishError) as caught:
        deliver(forum, Story(core).declare(), ThreadView("forum", "999", "999", None, {"posts": {}}))
    assert not caught.value.retryable and "(404)" in caught.value.message


def test_an_event_kind_without_a_template_reads_as_an_update(core: Core, forum: ForumPublisher) -> None:
    """A kind of event added later (no template yet) is posted with the update template."""
    story = Story(core)
    story.declare()
    event = story.update("Still looking.")
    odd = replace(event, update=replace(event.update, event="reminder"))
    assert forum.render(odd) == forum.render(event)
    assert forum.render(event).text == "**Investigating** · 2010-09-02 02:10 PDT (09:10 UTC)\n\nStill looking."


def test_a_new_database_does_not_reuse_an_old_incidents_topic(database_url: str, tmp_path: Path,
                                                               api: FakeDiscourse) -> None:
    """Incident 1 of a fresh database opens its own topic even though the forum has an old incident 1."""
    for n, (base, url) in enumerate([(tmp_path, database_url), (tmp_path / "again", None)]):
        base.mkdir(exist_ok=True)
        if url is None:
            db.upgrade(url := f"sqlite:///{base / 'fresh.db'}")
        with herald(url, base, **api.env()) as core:
            deliver(ForumPublisher(context(core)), Story(core, start=START + timedelta(days=n)).declare(), None)
    assert len(api.topics) == 2 and [t["external_id"][:17] for t in api.topics.values()] == ["herald-incident-1"] * 2


def test_typed_html_reaches_the_forum_as_text(core: Core, forum: ForumPublisher, api: FakeDiscourse) -> None:
    """HTML typed in an update is escaped in the post's Markdown; code spans keep their text as typed."""
    from tests.bot.text.test_markdown_html import raw_html

    story = Story(core)
    _, thread = deliver(forum, story.declare(), None)
    receipt, _ = deliver(forum, story.update("We see <img src=https://evil.example/p.png> and `<b>`."), thread)
    raw = api.posts[int(receipt.external_id or 0)]["raw"]
    assert "We see &lt;img src=https://evil.example/p.png> and `<b>`." in raw
    assert raw_html(raw) == []

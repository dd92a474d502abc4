"""Both publishers under random faults, retried the way the worker retries: every update lands once."""

from __future__ import annotations

import time
from pathlib import Path

from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import Publisher, PublishError, Receipt
from publishers.forum import ForumPublisher
from publishers.twitter import TwitterPublisher
from tests.fakes.discourse import FakeDiscourse
from tests.fakes.incidents import Story, context, deliver, herald
from tests.fakes.twitter import FakeTwitter

FAULTS = {"rate": 0.3, "kinds": ("5xx", "429", "drop", "lost", "slow"), "slow_seconds": 0.3, "wait_seconds": 0}
ATTEMPTS = 40


def until_sent(publisher: Publisher, event: Event, thread: ThreadView | None) -> tuple[Receipt, ThreadView]:
    """Retry a delivery after every retryable failure, as the worker would (a short pause after a timeout)."""
    for _ in range(ATTEMPTS):
        try:
            return deliver(publisher, event, thread)
        except PublishError as exc:
            assert exc.retryable, exc.message
            if "in time" in exc.message:
                time.sleep(0.35)  # the timed-out request is still being served; a real backoff is longer
    raise AssertionError(f"{publisher.name} never delivered update {event.update.number}")


def test_every_update_lands_exactly_once_despite_faults(database_url: str, tmp_path: Path) -> None:
    """With 30% of requests failing (5xx, 429, drops, lost answers, timeouts), each incident still gets one
    tweet per event in one reply chain and one topic with one post per update, the correction edited in."""
    with FakeTwitter(seed=3, **FAULTS) as x, FakeDiscourse(seed=4, **FAULTS) as discourse, \
            herald(database_url, tmp_path, **x.env(), **discourse.env(), HERALD_PUBLISH_TIMEOUT="0.15") as core:
        twitter, forum = TwitterPublisher(context(core)), ForumPublisher(context(core))
        threads: list[dict[str, ThreadView]] = []
        for n in range(3):
            story, thread = Story(core), {}
            events = [story.declare(title=f"Incident number {n}"), story.update(f"Cause of {n} found."),
                      story.update(f"Fix for {n} rolling out.", status="monitoring"), story.resolve(),
                      story.edit(2, f"Cause of {n} found: a bad deploy.")]
            for event in events:
                for publisher in (twitter, forum):
                    _, thread[publisher.name] = until_sent(publisher, event, thread.get(publisher.name))
            threads.append(thread)
        assert sum(k != "slow" for k in x.faults.injected + discourse.faults.injected) >= 10
    for n, thread in enumerate(threads):
        chain = x.chain(thread["twitter"].last_id or "")
        assert len(chain) == 5 and chain[0].text.startswith(f"Investigating: Incident number {n}")
        assert chain[-1].text.startswith(f"Correction: Incident number {n}\nCause of {n} found: a bad deploy.")
        topic = discourse.topics[int(thread["forum"].first_id or 0)]
        assert len(topic["posts"]) == 4 and topic["title"] == f"[Resolved] Incident number {n}"
        assert f"Cause of {n} found: a bad deploy." in discourse.posts[topic["posts"][1]]["raw"]
    assert sorted(x.posts_per_thread().values()) == [5, 5, 5]
    assert sorted(discourse.posts_per_topic().values()) == [4, 4, 4] and len(discourse.topics) == 3

"""A forum post Discourse refuses for good never stalls the later posts of its incident."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.delivery import outbox
from bot.delivery.worker import Worker
from bot.domain import service
from bot.domain.models import Delivery, utcnow
from bot.store import db
from tests.fakes.discourse import TOO_SIMILAR, FakeDiscourse
from tests.fakes.incidents import herald
from tests.support import eventually


def test_a_too_similar_refusal_is_failed_and_later_posts_go_on(database_url: str, tmp_path: Path) -> None:
    """The same update posted twice is refused with 422 "too similar" (failed, not retried); the updates
    after it still reach the topic, in order."""
    with FakeDiscourse() as api, herald(database_url, tmp_path, **api.env(), HERALD_PUBLISHERS="forum") as core:
        now = utcnow() - timedelta(minutes=10)
        with db.transaction(core.sessions) as session:
            incident = service.declare(session, title="Checkout is failing", body="Payments fail for some.",
                                       publishers=["forum"], now=now).incident_id
            for minutes, body in ((1, "Still investigating the failures."), (1, "Still investigating the failures."),
                                  (2, "A fix is rolling out to every server."), (3, "Payments work again now.")):
                service.post_update(session, incident_id=incident, body=body, publishers=["forum"],
                                    now=now + timedelta(minutes=minutes))
        outbox.notify(core)
        worker = Worker(core)
        while worker.fill():
            eventually(lambda: not worker.held())
        with core.sessions() as session:
            rows = session.scalars(select(Delivery).where(Delivery.publisher == "forum").order_by(Delivery.id))
            states = [(d.update.number, d.state, d.attempts) for d in rows]
            error = session.scalars(select(Delivery.last_error).where(Delivery.state == "failed")).one()
        assert states == [(1, "sent", 1), (2, "sent", 1), (3, "failed", 1), (4, "sent", 1), (5, "sent", 1)]
        assert TOO_SIMILAR in (error or "")
        [topic] = api.topics.values()
        texts = [api.posts[p]["raw"] for p in topic["posts"]]
        assert len(texts) == 4 and "fix is rolling out" in texts[2] and "work again" in texts[3]

"""A mirror is a delivery lane like any channel: down for ten minutes (by the worker's clock) it delays no other
channel, says so in the receipts, and catches up once it answers again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.core import Core
from bot.delivery.worker import Worker
from bot.domain.models import Delivery
from handlers.receipts import words as receipts_words
from publishers.mirror import MirrorPublisher
from publishers.statuspage import StatuspagePublisher
from tests.bot.delivery import worker_kit as kit
from tests.bot.delivery.test_worker import FakeClock, step
from tests.fakes import receiver_plugin
from tests.fakes.receiver import Receiver
from tests.publishers.mirror.conftest import Bucket


def states(core: Core) -> dict[str, list[str]]:
    """Each channel's delivery states, oldest first."""
    with core.sessions() as session:
        found: dict[str, list[str]] = {}
        for row in session.scalars(select(Delivery).order_by(Delivery.id)):
            found.setdefault(row.publisher.split("-")[0], []).append(row.state)
        return found


def receipts(core: Core, incident: int) -> str:
    """The Slack receipts of `incident` as the card shows them."""
    with core.sessions() as session:
        return receipts_words(core, session, incident)[1]


def test_a_mirror_down_ten_minutes_delays_no_other_channel_and_catches_up(
        database_url: str, tmp_path: Path, rx: Receiver, bucket: Bucket) -> None:
    """While S3 answers 503 the status page and another channel get every update at once and the receipts say
    "S3 mirror ✗ 503 …, retrying"; ten minutes later S3 is back and the mirror's next attempt copies the site
    as it is now, with every update in it."""
    available = {**receiver_plugin.classes(rx.url), "statuspage": StatuspagePublisher, "mirror": MirrorPublisher}
    env = kit.settings(database_url, tmp_path, HERALD_PUBLISHERS="statuspage,mirror,alpha", HERALD_RETRY_BASE="60",
                       HERALD_RETRY_CAP="300", HERALD_MAX_ATTEMPTS="30", **bucket.env())
    core = kit.make_core(env, rx, available=available)
    clock = FakeClock()
    worker = Worker(core, now=clock)
    bucket.proxy.mode = "503"
    incident = kit.post(core, None, "Checkout errors", now=clock())
    step(worker)
    assert states(core) == {"statuspage": ["sent"], "mirror": ["pending"], "alpha": ["sent"]}
    text = receipts(core, incident)
    assert "Status page ✓" in text and "S3 mirror ✗ 503 ServiceUnavailable, retrying" in text
    for minute in range(1, 11):  # ten minutes of outage by the worker's clock; an update every other minute
        clock.advance(60)
        if minute % 2 == 0:
            kit.post(core, incident, f"Still failing at minute {minute}.", now=clock())
        step(worker)
        assert rx.count("alpha") == 1 + minute // 2  # every update reached the other channel at once
    assert states(core)["statuspage"] == ["sent"] * 6 and set(states(core)["mirror"]) == {"pending"}
    assert "status/index.html" not in bucket.objects()
    bucket.proxy.mode = "ok"
    clock.advance(301)  # past the longest backoff
    for _ in range(6):  # one delivery at a time: the mirror's lane keeps its updates in order
        step(worker)
    assert states(core)["mirror"] == ["sent"] * 6
    front = bucket.objects()["status/incidents/1/index.html"]
    assert b"Still failing at minute 10." in front and b"Checkout errors" in front

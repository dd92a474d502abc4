"""A publisher that `covers_later` (the status page) publishes a burst of updates to one incident once: the
later deliveries its publish already showed are recorded sent with it; a post-per-update channel is untouched."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.delivery import deliver
from bot.domain.models import Delivery
from bot.plugins.contract import Receipt
from tests.bot.delivery.test_deliver import LATER, NOW, loaded, queue, take
from tests.fakes.scripted_plugin import ScriptedPublisher, install


@pytest.fixture
def page(core: Core) -> ScriptedPublisher:
    """The scripted channel, declaring that each publish shows the incident's whole state, like a page."""
    plugin = install(core)
    plugin.covers_later = True  # type: ignore[misc]  # the instance's declaration, as a page's class declares it
    return plugin


def states(core: Core) -> list[tuple[int, str, str | None]]:
    """(id, state, external_id) of every pager delivery, oldest first."""
    with core.sessions() as s:
        return [(d.id, d.state, d.external_id) for d in s.scalars(select(Delivery).order_by(Delivery.id))]


def test_a_burst_is_published_once(core: Core, page: ScriptedPublisher) -> None:
    """Five updates queued before the first delivery is read: one publish, all five recorded sent with its receipt."""
    number = queue(core)
    for n in range(4):
        queue(core, number, body=f"More {n}")
    work = loaded(core, take(core))
    assert deliver.record(core, work, deliver.attempt(core, work), worker="w1", now=LATER) == "sent"
    assert len(page.calls) == 1 and [u.number for u in page.calls[0][0].incident.updates] == [1, 2, 3, 4, 5]
    assert [s for _, s, _ in states(core)] == ["sent"] * 5
    assert {e for _, _, e in states(core)} == {"p1-1-0"}


def test_an_update_committed_after_the_read_is_published_next(core: Core, page: ScriptedPublisher) -> None:
    """A delivery queued after the publish read the incident is not covered: it stays pending for its own turn."""
    number = queue(core)
    work = loaded(core, take(core))
    queue(core, number, body="Arrived during the render")
    deliver.record(core, work, Receipt(external_id="page"), worker="w1", now=LATER)
    assert [s for _, s, _ in states(core)] == ["sent", "pending"]


def test_a_delivery_held_by_another_worker_is_not_covered(core: Core, page: ScriptedPublisher) -> None:
    """Covering never takes a row another worker has leased."""
    number = queue(core)
    queue(core, number, body="Second")
    first = loaded(core, take(core))
    with core.sessions() as s, s.begin():
        second = s.scalars(select(Delivery).order_by(Delivery.id.desc())).first()
        assert second is not None
        second.claimed_by, second.claimed_until = "w2", LATER.replace(year=2030)
    deliver.record(core, first, Receipt(external_id="page"), worker="w1", now=LATER)
    assert [s for _, s, _ in states(core)] == ["sent", "pending"]


def test_a_post_per_update_channel_publishes_each(core: Core) -> None:
    """Without `covers_later` every update is its own publish."""
    plugin = install(core)
    number = queue(core)
    queue(core, number, body="Second")
    work = loaded(core, take(core))
    deliver.record(core, work, deliver.attempt(core, work), worker="w1", now=NOW)
    assert [s for _, s, _ in states(core)] == ["sent", "pending"] and len(plugin.calls) == 1

"""The shared read side: incident numbers by question, views in set-based batches, tweet ids and thread URLs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.core import Core
from bot.domain import reading, service
from bot.domain.models import Delivery, Incident, Thread, Update
from bot.domain.snapshots import IncidentView, incident_view
from bot.store import db

T0 = datetime(2010, 9, 2, 9, 0, tzinfo=UTC)
URL = "https://status.example.test"
CHANNELS = ["statuspage", "twitter", "forum"]


@dataclass(frozen=True)
class History:
    """The numbers of the sample incidents."""

    old: int  # resolved three days ago
    live: int  # open, edited, with threads and sent tweets
    window: int  # scheduled for tomorrow
    done: int  # a completed window
    fresh: int  # open, declared at T0


@pytest.fixture
def history(core: Core) -> History:
    """Five incidents and windows, declared in that order, each changed at its own instant."""
    with db.transaction(core.sessions) as s:
        old = service.declare(s, title="Old", body="Slow.", changes=[("www", None)], at=T0 - timedelta(days=3),
                              publishers=CHANNELS, now=T0 - timedelta(days=3)).incident_id
        service.resolve(s, incident_id=old, body="Fixed.", publishers=CHANNELS, now=T0 - timedelta(days=2))
        live = service.declare(s, title="Checkout down", changes=[("app", "major_outage"), ("admin", None)],
                               impact="major", body="Looking.", at=T0 - timedelta(hours=1), publishers=CHANNELS,
                               now=T0 - timedelta(hours=1)).incident_id
        service.post_update(s, incident_id=live, status="identified", body="Found it.", publishers=CHANNELS,
                            now=T0 - timedelta(minutes=30))
        service.edit_update(s, incident_id=live, number=2, body="Found it: a deploy.", publishers=CHANNELS,
                            now=T0 - timedelta(minutes=20))
        window = service.schedule_maintenance(s, title="Upgrade", starts=T0 + timedelta(days=1),
                                              ends=T0 + timedelta(days=1, hours=2), changes=[("admin", None)],
                                              publishers=CHANNELS, now=T0 - timedelta(minutes=10)).incident_id
        done = service.schedule_maintenance(s, title="Done", starts=T0 - timedelta(days=1, hours=2),
                                            ends=T0 + timedelta(hours=5), publishers=CHANNELS,
                                            now=T0 - timedelta(days=1, hours=3)).incident_id
        service.complete_maintenance(s, incident_id=done, publishers=CHANNELS, now=T0 - timedelta(days=1))
        fresh = service.declare(s, title="Fresh", body="New.", at=T0, publishers=CHANNELS, now=T0).incident_id
        for publisher, url in (("forum", "https://forum.test/t/7"), ("twitter", "https://x.test/s/111"),
                               ("pager", None)):
            s.add(Thread(incident_id=live, publisher=publisher, first_id="1", last_id="2", url=url, data={}))
    return History(old, live, window, done, fresh)


def orm_view(session: Session, number: int) -> IncidentView:
    """The snapshot of an incident built from its ORM relationships."""
    found = session.get(Incident, number)
    assert found is not None
    return incident_view(found, URL)


def deliveries(session: Session, number: int, publisher: str) -> dict[tuple[int, int], Delivery]:
    """An incident's deliveries to `publisher` by (update number, revision)."""
    rows = session.scalars(select(Delivery).where(Delivery.incident_id == number, Delivery.publisher == publisher))
    return {(d.update.number, d.revision): d for d in rows}


def test_open_ids_are_the_incidents_and_windows_not_finished(core: Core, history: History) -> None:
    """Open incidents and windows, scheduled ones included, are open; resolved and completed are not."""
    with core.sessions() as s:
        assert sorted(reading.open_ids(s)) == [history.live, history.window, history.fresh]


def test_newest_ids_of_any_kind_or_one(core: Core, history: History) -> None:
    """The highest numbers first, limited, and of one kind when asked."""
    with core.sessions() as s:
        assert reading.newest_ids(s, 2) == [history.fresh, history.done]
        assert reading.newest_ids(s, 10, "maintenance") == [history.done, history.window]
        assert reading.newest_ids(s, 10, "incident") == [history.fresh, history.live, history.old]


def test_recently_updated_ids_by_last_change(core: Core, history: History) -> None:
    """Incidents come most recently changed first, a tie broken by the higher number."""
    with db.transaction(core.sessions) as s:  # make the window's change tie with the newest one
        window = s.get(Incident, history.window)
        assert window is not None
        window.updated_at = T0
    with core.sessions() as s:
        assert reading.recently_updated_ids(s, 10) == [
            history.fresh, history.window, history.live, history.done, history.old]
        assert reading.recently_updated_ids(s, 2) == [history.fresh, history.window]


def test_starting_ids_in_a_half_open_range(core: Core, history: History) -> None:
    """Incidents that began, or windows scheduled to begin, in [start, end): the start counts, the end not."""
    with core.sessions() as s:
        assert reading.starting_ids(s, T0, T0 + timedelta(days=1)) == [history.fresh]
        assert reading.starting_ids(s, T0 - timedelta(hours=1), T0) == [history.live]
        assert reading.starting_ids(s, T0 + timedelta(days=1), T0 + timedelta(days=2)) == [history.window]
        assert sorted(reading.starting_ids(s, T0 - timedelta(days=4), T0 + timedelta(days=2))) == [
            history.old, history.live, history.window, history.done, history.fresh]


def test_full_views_equal_the_orm_snapshots(core: Core, history: History) -> None:
    """Every incident's view from the column reads equals its snapshot from the ORM rows."""
    with core.sessions() as s:
        expected = {n: orm_view(s, n) for n in (history.old, history.live, history.window, history.done,
                                                  history.fresh)}
    with core.sessions() as s:
        assert reading.incidents(s, public_url=URL) == expected
    with core.sessions() as s:
        assert reading.incident(s, history.live, public_url=URL) == expected[history.live]
    live = expected[history.live]
    assert [(u.number, u.revision, len(u.revisions)) for u in live.updates] == [(1, 0, 0), (2, 1, 1)]
    assert [(a.name, a.status) for a in live.affected] == [("app", "major_outage"), ("admin", "partial_outage")]
    assert sorted(live.threads) == ["forum", "pager", "twitter"]


def test_wanted_views_only(core: Core, history: History) -> None:
    """Asked for some numbers, the views are of those alone; a number that does not exist is left out."""
    with core.sessions() as s:
        views = reading.incidents(s, public_url=URL, wanted=[history.window, history.old, 999])
    assert sorted(views) == [history.old, history.window]
    assert views[history.window].scheduled_for == T0 + timedelta(days=1)


def test_light_views_carry_no_updates_components_or_threads(core: Core, history: History) -> None:
    """A light view is the incident's own columns only: enough for a list entry."""
    with core.sessions() as s:
        full = reading.incidents(s, public_url=URL, wanted=[history.live])[history.live]
    with core.sessions() as s:
        light = reading.incidents(s, public_url=URL, wanted=[history.live], light=True)[history.live]
    assert (light.updates, light.affected, light.threads) == ((), (), {})
    assert light == IncidentView(**{**full.__dict__, "updates": (), "affected": (), "threads": {}})


def test_one_missing_incident_is_a_lookup_error(core: Core, history: History) -> None:
    """`incident` of a number that does not exist raises LookupError naming it."""
    with core.sessions() as s, pytest.raises(LookupError, match="#999"):
        reading.incident(s, 999, public_url=URL)


def test_tweet_ids_only_for_sent_real_first_revisions_of_the_channel(core: Core, history: History) -> None:
    """Only a tweet that was sent, not in sandbox, for the update's first text, on that channel, counts."""
    with db.transaction(core.sessions) as s:
        tweets = deliveries(s, history.live, "twitter")
        tweets[1, 0].state, tweets[1, 0].external_id = "sent", "111"  # counts
        tweets[2, 0].state, tweets[2, 0].external_id, tweets[2, 0].sandbox = "sent", "222", True  # sandbox
        tweets[2, 1].state, tweets[2, 1].external_id = "sent", "223"  # a correction's tweet
        forum = deliveries(s, history.live, "forum")
        forum[2, 0].state, forum[2, 0].external_id = "sent", "f2"  # another channel
        other = deliveries(s, history.fresh, "twitter")
        other[1, 0].state, other[1, 0].external_id = "failed", "999"  # not sent
        first, second = s.scalars(select(Update.id).where(Update.incident_id == history.live)
                                  .order_by(Update.number)).all()
    with core.sessions() as s:
        assert reading.tweet_ids(s, None, "twitter") == {first: "111"}
        assert reading.tweet_ids(s, [history.fresh], "twitter") == {}
        assert reading.tweet_ids(s, [history.live], "forum") == {second: "f2"}
    with core.sessions() as s:
        view = reading.incident(s, history.live, public_url=URL, tweets_from="twitter")
    assert [u.tweet_id for u in view.updates] == ["111", None]
    with core.sessions() as s:
        assert [u.tweet_id for u in reading.incident(s, history.live, public_url=URL).updates] == [None, None]


def test_tweet_ids_need_an_external_id(core: Core, history: History) -> None:
    """A sent delivery without an external id gives no tweet id."""
    with db.transaction(core.sessions) as s:
        deliveries(s, history.fresh, "twitter")[1, 0].state = "sent"
    with core.sessions() as s:
        assert reading.tweet_ids(s, [history.fresh], "twitter") == {}


def test_thread_urls_of_the_named_channels(core: Core, history: History) -> None:
    """The URLs of an incident's threads on the channels named; a thread without a URL gives none."""
    with core.sessions() as s:
        assert sorted(reading.thread_urls(s, history.live, ["forum", "twitter", "pager"])) == [
            "https://forum.test/t/7", "https://x.test/s/111"]
        assert reading.thread_urls(s, history.live, ["forum"]) == ["https://forum.test/t/7"]
        assert reading.thread_urls(s, history.fresh, ["forum", "twitter"]) == []


def test_components_in_page_order(core: Core) -> None:
    """Components come in page order, as HERALD_COMPONENTS lists them."""
    with core.sessions() as s:
        assert [c.name for c in reading.components(s)] == ["app", "admin", "www", "forum", "wiki", "affiliate"]


@pytest.fixture
def incident_batches(core: Core) -> Iterator[list[int]]:
    """How many numbers each `… FROM incidents WHERE incidents.id IN (…)` statement asked for, as they run."""
    sizes: list[int] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "FROM incidents" in statement and "incidents.id IN" in statement:
            sizes.append(len(parameters))

    event.listen(core.engine, "before_cursor_execute", seen)
    yield sizes
    event.remove(core.engine, "before_cursor_execute", seen)


def test_more_ids_than_a_chunk_are_read_in_bounded_batches(core: Core, history: History,
                                                           incident_batches: list[int],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Five numbers with a chunk of two are read in three IN queries of at most two, and the views are whole."""
    with core.sessions() as s:
        expected = reading.incidents(s, public_url=URL)
    monkeypatch.setattr(reading, "CHUNK", 2)
    incident_batches.clear()
    numbers = [history.fresh, history.old, history.done, history.live, history.window]
    with core.sessions() as s:
        assert reading.incidents(s, public_url=URL, wanted=numbers) == expected
    assert incident_batches == [2, 2, 1]


def test_a_number_wanted_twice_gives_each_update_once(core: Core, history: History,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing an incident twice in `wanted`, across a chunk boundary, still gives its updates and components once."""
    with core.sessions() as s:
        expected = reading.incidents(s, public_url=URL, wanted=[history.live, history.window])
    monkeypatch.setattr(reading, "CHUNK", 2)
    with core.sessions() as s:
        views = reading.incidents(s, public_url=URL, wanted=[history.window, *[history.live] * 3])
    assert [u.number for u in views[history.live].updates] == [1, 2]
    assert [a.name for a in views[history.live].affected] == ["app", "admin"]
    assert views == expected

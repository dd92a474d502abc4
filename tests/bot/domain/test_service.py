"""The incident domain on a real database (SQLite, or PostgreSQL with HERALD_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core import Core
from bot.domain import service
from bot.domain.models import Component, Delivery, Incident, Update
from bot.errors import DomainError, InvalidTransition, NotFound
from bot.store.db import transaction

T0 = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)
CHANNELS = ("statuspage", "twitter", "forum")


def counts(core: Core) -> tuple[int, int, int]:
    """How many incidents, updates and deliveries are stored."""
    with core.sessions() as s:
        return (s.scalar(select(func.count(Incident.id))) or 0, s.scalar(select(func.count(Update.id))) or 0,
                s.scalar(select(func.count(Delivery.id))) or 0)


def statuses(session: Session) -> dict[str, str]:
    """Each component's current status."""
    return {c.name: c.status for c in session.scalars(select(Component))}


def declare(core: Core, **kw: object) -> int:
    """Declare the seed's 2010-09-02 incident and return its number."""
    with transaction(core.sessions) as s:
        args: dict = {"title": "APP Connectivity Issues", "changes": [("app", None), ("admin", None)],
                      "body": "We just experienced an issue.", "at": T0, "publishers": CHANNELS,
                      "now": T0 + timedelta(minutes=1)}
        args.update(kw)
        return service.declare(s, **args).incident_id


def test_declare_writes_update_and_one_pending_delivery_per_publisher(core: Core) -> None:
    """Declaring stores the incident, its first update and a pending delivery for every channel."""
    number = declare(core)
    with core.sessions() as s:
        incident = s.get(Incident, number)
        assert incident is not None and incident.status == "investigating"
        assert incident.started_at == T0 and incident.started_at.tzinfo is not None
        [update] = incident.updates
        assert update.display_at == T0 and update.event == "declare"
        assert sorted((d.publisher, d.state, d.revision) for d in update.deliveries) == [
            ("forum", "pending", 0), ("statuspage", "pending", 0), ("twitter", "pending", 0)]
        assert statuses(s)["app"] == "degraded_performance"


def test_datetimes_come_back_utc_aware(core: Core) -> None:
    """Every stored instant reads back UTC-aware, on SQLite too."""
    number = declare(core)
    with core.sessions() as s:
        incident = s.get(Incident, number)
        assert incident is not None
        for value in (incident.started_at, incident.created_at, incident.updates[0].display_at):
            assert value is not None and value.utcoffset() == timedelta(0)


def test_update_changes_status_and_component_and_records_the_move(core: Core) -> None:
    """An update can set a component's status; the change is recorded old → new."""
    number = declare(core)
    with transaction(core.sessions) as s:
        update = service.post_update(s, incident_id=number, status="identified",
                                     changes=[("app", "major_outage")], body="Found it.",
                                     at=T0 + timedelta(minutes=5), publishers=CHANNELS, now=T0 + timedelta(hours=1))
        assert update.number == 2
        assert update.component_changes == [
            {"name": "app", "old_status": "degraded_performance", "new_status": "major_outage"}]
    with core.sessions() as s:
        assert statuses(s)["app"] == "major_outage"
        assert s.get(Incident, number).status == "identified"  # type: ignore[union-attr]


def test_resolve_returns_components_to_operational(core: Core) -> None:
    """Resolving sets resolved_at and frees the components."""
    number = declare(core)
    with transaction(core.sessions) as s:
        service.resolve(s, incident_id=number, at=T0 + timedelta(minutes=7), publishers=CHANNELS,
                        now=T0 + timedelta(hours=1))
    with core.sessions() as s:
        incident = s.get(Incident, number)
        assert incident is not None and incident.status == "resolved"
        assert incident.resolved_at == T0 + timedelta(minutes=7)
        assert set(statuses(s).values()) == {"operational"}


def test_component_stays_down_while_another_incident_affects_it(core: Core) -> None:
    """A component's status is the worst over every open incident that affects it."""
    first = declare(core)
    declare(core, title="Second", changes=[("app", "partial_outage")])
    with transaction(core.sessions) as s:
        service.resolve(s, incident_id=first, publishers=(), now=T0 + timedelta(hours=1))
    with core.sessions() as s:
        assert statuses(s)["app"] == "partial_outage"


def test_postscript_after_resolution_is_allowed_but_cannot_reopen(core: Core) -> None:
    """After resolution an update is a postscript; changing the status is refused."""
    number = declare(core)
    later = T0 + timedelta(days=6)
    with transaction(core.sessions) as s:
        service.resolve(s, incident_id=number, at=T0 + timedelta(hours=1), publishers=(), now=later)
        ps = service.post_update(s, incident_id=number, body="Some data was lost.", publishers=CHANNELS, now=later)
        assert ps.event == "postscript" and ps.status == "resolved"
    before = counts(core)
    with pytest.raises(InvalidTransition, match="postscript"), transaction(core.sessions) as s:
        service.post_update(s, incident_id=number, status="investigating", body="x", now=later)
    assert counts(core) == before


def test_unknown_component_is_refused_and_nothing_is_written(core: Core) -> None:
    """An unknown component names the known ones and leaves the database unchanged."""
    with pytest.raises(NotFound, match='unknown component "billing"'):
        declare(core, changes=[("billing", None)])
    assert counts(core) == (0, 0, 0)


def test_status_must_fit_the_kind(core: Core) -> None:
    """A maintenance status on an incident is refused."""
    number = declare(core)
    with pytest.raises(InvalidTransition, match="not a status of an incident"), transaction(core.sessions) as s:
        service.post_update(s, incident_id=number, status="in_progress", now=T0 + timedelta(hours=1))


def test_unknown_incident_is_not_found(core: Core) -> None:
    """Referring to a missing incident says so."""
    with pytest.raises(NotFound, match="no incident #99"), transaction(core.sessions) as s:
        service.post_update(s, incident_id=99, body="x")


def test_future_backdate_is_refused(core: Core) -> None:
    """--at cannot be in the future."""
    with pytest.raises(DomainError, match="future"):
        declare(core, at=T0 + timedelta(days=1))


def test_maintenance_lifecycle(core: Core) -> None:
    """A window is scheduled, started (components under maintenance) and completed (components back)."""
    start, end = T0, T0 + timedelta(hours=2)
    with transaction(core.sessions) as s:
        window = service.schedule_maintenance(s, title="DB upgrade", starts=start, ends=end,
                                              changes=[("app", None)], publishers=CHANNELS, now=T0 - timedelta(days=1))
        number = window.incident_id
        assert statuses(s)["app"] == "operational"
        service.start_maintenance(s, incident_id=number, at=start, publishers=CHANNELS, now=start)
        assert statuses(s)["app"] == "under_maintenance"
        with pytest.raises(InvalidTransition):
            service.resolve(s, incident_id=number, now=end)
        service.complete_maintenance(s, incident_id=number, at=end, publishers=CHANNELS, now=end)
        assert statuses(s)["app"] == "operational"
    with core.sessions() as s:
        incident = s.get(Incident, number)
        assert incident is not None
        assert [u.status for u in incident.updates] == ["scheduled", "in_progress", "completed"]
        assert len(s.scalars(select(Delivery).where(Delivery.incident_id == number)).all()) == 9


def test_window_must_end_after_it_starts(core: Core) -> None:
    """--to before --from is refused."""
    with pytest.raises(DomainError, match="end after"), transaction(core.sessions) as s:
        service.schedule_maintenance(s, title="x", starts=T0, ends=T0 - timedelta(hours=1))


def test_edit_keeps_history_and_queues_a_new_revision(core: Core) -> None:
    """Editing keeps the old text and queues the correction for every channel."""
    number = declare(core)
    with transaction(core.sessions) as s:
        update = service.edit_update(s, incident_id=number, number=1, body="Corrected text.",
                                     publishers=CHANNELS, now=T0 + timedelta(hours=1))
        assert update.revision == 1 and update.body == "Corrected text."
        assert [r.body for r in update.revisions] == ["We just experienced an issue."]
        revs = sorted((d.publisher, d.revision) for d in update.deliveries)
        assert revs.count(("twitter", 1)) == 1 and revs.count(("twitter", 0)) == 1


def test_list_filters(core: Core) -> None:
    """list shows open incidents, upcoming windows, or all."""
    open_one = declare(core)
    with transaction(core.sessions) as s:
        upcoming = service.schedule_maintenance(s, title="later", starts=T0 + timedelta(days=1),
                                                ends=T0 + timedelta(days=1, hours=1), now=T0).incident_id
    with core.sessions() as s:
        assert [i.id for i in service.list_incidents(s, which="open")] == [open_one]
        assert [i.id for i in service.list_incidents(s, which="upcoming")] == [upcoming]
        assert len(service.list_incidents(s, which="all")) == 2


def test_concurrent_updates_to_one_incident_take_turns(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Eight simultaneous updates on PostgreSQL all land, numbered 2…9, none refused."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.config import load_config
    from herald.app import create_core
    from tests.support import make_env

    core = create_core(load_config(make_env(pg_url, tmp_path)))
    number = declare(core)

    def post(i: int) -> int:
        with transaction(core.sessions) as s:
            return service.post_update(s, incident_id=number, body=f"update {i}", publishers=CHANNELS,
                                       now=T0 + timedelta(hours=1)).number

    with ThreadPoolExecutor(8) as pool:
        numbers = sorted(pool.map(post, range(8)))
    core.engine.dispose()
    assert numbers == list(range(2, 10))

"""Reopening a resolved incident: status, components, its update and where it goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.domain import service
from bot.domain.models import Delivery, Incident, Update
from bot.errors import InvalidTransition
from bot.store.db import transaction
from tests.bot.domain.test_service import CHANNELS, T0, counts, declare, statuses

LATER = T0 + timedelta(days=1)


def resolved(core: Core) -> int:
    """The seed incident, with app in a major outage and admin degraded, resolved an hour in."""
    number = declare(core)
    with transaction(core.sessions) as s:
        service.post_update(s, incident_id=number, changes=[("app", "major_outage")], body="Worse.",
                            publishers=CHANNELS, now=T0 + timedelta(minutes=30))
        service.resolve(s, incident_id=number, publishers=CHANNELS, now=T0 + timedelta(hours=1))
    return number


def test_reopen_returns_to_investigating_with_components_back_in_their_outage(core: Core) -> None:
    """Reopening clears resolved_at, returns the status and each component's status before resolution."""
    number = resolved(core)
    with transaction(core.sessions) as s:
        update = service.reopen(s, incident_id=number, body="It is back.", publishers=CHANNELS, now=LATER)
        assert (update.event, update.status, update.display_at) == ("reopen", "investigating", LATER)
        assert sorted((m["name"], m["old_status"], m["new_status"]) for m in update.component_changes) == [
            ("admin", "operational", "degraded_performance"), ("app", "operational", "major_outage")]
    with core.sessions() as s:
        incident = s.get(Incident, number)
        assert incident is not None and (incident.status, incident.resolved_at) == ("investigating", None)
        assert {a.component.name: a.status for a in incident.affected} == {
            "app": "major_outage", "admin": "degraded_performance"}
        assert statuses(s)["app"] == "major_outage"
        deliveries = s.scalars(select(Delivery).join(Update).where(Update.event == "reopen")).all()
        assert sorted(d.publisher for d in deliveries) == sorted(CHANNELS)


def test_reopen_to_a_chosen_status_and_resolve_again(core: Core) -> None:
    """`-s identified` reopens as identified; the incident can then be resolved a second time."""
    number = resolved(core)
    with transaction(core.sessions) as s:
        service.reopen(s, incident_id=number, status="identified", publishers=(), now=LATER)
        service.resolve(s, incident_id=number, publishers=(), now=LATER + timedelta(hours=1))
    with core.sessions() as s:
        incident = s.get(Incident, number)
        assert incident is not None
        assert [u.event for u in incident.updates] == ["declare", "update", "resolve", "reopen", "resolve"]
        assert incident.resolved_at == LATER + timedelta(hours=1)
        assert set(statuses(s).values()) == {"operational"}


@pytest.mark.parametrize(("status", "message"), [
    ("resolved", "reopen it as investigating"), ("in_progress", "not a status of an incident")])
def test_reopen_refuses_a_status_that_is_not_open(core: Core, status: str, message: str) -> None:
    """Reopening to `resolved`, or to a maintenance status, is refused and writes nothing."""
    number = resolved(core)
    before = counts(core)
    with pytest.raises(InvalidTransition, match=message), transaction(core.sessions) as s:
        service.reopen(s, incident_id=number, status=status, now=LATER)
    assert counts(core) == before


def test_an_open_incident_is_not_reopened(core: Core) -> None:
    """Only a resolved incident can be reopened; an open one is told to take an update."""
    number = declare(core)
    with pytest.raises(InvalidTransition, match="not resolved: post an update"), transaction(core.sessions) as s:
        service.reopen(s, incident_id=number, now=LATER)


def test_a_maintenance_window_is_not_reopened(core: Core) -> None:
    """A completed window stays completed: reopening it is refused with what to do instead."""
    with transaction(core.sessions) as s:
        number = service.schedule_maintenance(s, title="DB", starts=T0, ends=T0 + timedelta(hours=1),
                                              now=T0 - timedelta(days=1)).incident_id
        service.complete_maintenance(s, incident_id=number, now=T0 + timedelta(hours=1))
    with pytest.raises(InvalidTransition, match="windows are not reopened: schedule a new one"), \
            transaction(core.sessions) as s:
        service.reopen(s, incident_id=number, now=LATER)

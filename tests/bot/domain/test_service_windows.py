"""Maintenance windows against the clock: a window already over is refused, a late one starts now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.domain import service
from bot.domain.models import Incident, Update
from bot.errors import DomainError, NotFound
from bot.store.db import transaction
from tests.bot.domain.test_service import counts

NOW = datetime(2026, 11, 27, 1, 35, tzinfo=UTC)  # 17:35 PST on 2026-11-26


def schedule(core: Core, starts: datetime, ends: datetime, **kw: object) -> int:
    """Schedule a window on `app` at NOW; returns its number."""
    with transaction(core.sessions) as s:
        return service.schedule_maintenance(s, title="DB upgrade", starts=starts, ends=ends,
                                            changes=[("app", None)], publishers=("statuspage",), now=NOW,
                                            **kw).incident_id  # type: ignore[arg-type]


@pytest.mark.parametrize(("starts", "ends"), [
    (NOW - timedelta(hours=15, minutes=35), NOW - timedelta(hours=13, minutes=35)),  # 02:00–04:00 today
    (datetime(2025, 1, 5, 10, tzinfo=UTC), datetime(2025, 1, 5, 12, tzinfo=UTC)),
    (NOW - timedelta(hours=1), NOW),
])
def test_a_window_already_over_is_refused(core: Core, starts: datetime, ends: datetime) -> None:
    """A window whose end has passed is refused with the reason, and nothing is written."""
    with pytest.raises(DomainError, match="already be over: its end .--to. is in the past"):
        schedule(core, starts, ends)
    assert counts(core) == (0, 0, 0)


def test_a_late_start_begins_now_and_keeps_its_end(core: Core) -> None:
    """A window whose start has passed but whose end is ahead records the true start: now."""
    number = schedule(core, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    with core.sessions() as s:
        window = s.get(Incident, number)
        assert window is not None and window.status == "scheduled"
        assert (window.scheduled_for, window.scheduled_until) == (NOW, NOW + timedelta(hours=1))


def test_a_future_window_keeps_its_times(core: Core) -> None:
    """A window wholly ahead is stored as given."""
    starts = NOW + timedelta(hours=8, minutes=25)
    number = schedule(core, starts, starts + timedelta(hours=2))
    with core.sessions() as s:
        window = s.get(Incident, number)
        assert window is not None and window.scheduled_for == starts


def test_extending_to_a_past_end_is_refused(core: Core) -> None:
    """A running window cannot be extended to an end that has already passed."""
    number = schedule(core, NOW + timedelta(minutes=5), NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=2)
    with pytest.raises(DomainError, match="already in the past"), transaction(core.sessions) as s:
        service.extend_maintenance(s, incident_id=number, ends=later - timedelta(minutes=30), now=later)


def test_start_moves_components_from_operational_not_from_the_plan(core: Core) -> None:
    """The in-progress update records operational → under_maintenance: the planned status was never live."""
    starts = NOW + timedelta(hours=1)
    number = schedule(core, starts, starts + timedelta(hours=1))
    with transaction(core.sessions) as s:
        service.start_maintenance(s, incident_id=number, at=starts, publishers=(), now=starts)
    with core.sessions() as s:
        started = s.scalars(select(Update).where(Update.incident_id == number, Update.event == "start")).one()
        assert started.component_changes == [
            {"name": "app", "old_status": "operational", "new_status": "under_maintenance"}]


def test_a_misspelt_component_gets_the_closest_known_name(core: Core) -> None:
    """An unknown component name suggests the closest configured one, as subcommands do."""
    with pytest.raises(NotFound, match='unknown component "wwww" — did you mean "www"\\?'), \
            transaction(core.sessions) as s:
        service.declare(s, title="Slow", changes=[("wwww", None)], now=NOW)

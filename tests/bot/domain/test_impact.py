"""An incident's impact follows its components as Statuspage derives it, unless a person chose it."""

from __future__ import annotations

import pytest

from bot.core import Core
from bot.domain import service
from bot.domain.models import Incident
from bot.domain.vocabulary import impact_of
from bot.store.db import transaction


def impact(core: Core, number: int) -> str:
    """The stored impact of incident `number`."""
    with core.sessions() as session:
        found = session.get(Incident, number)
        assert found is not None
        return found.impact


@pytest.mark.parametrize(("statuses", "expected"), [
    (["major_outage"], "critical"), (["partial_outage", "degraded_performance"], "major"),
    (["degraded_performance"], "minor"), (["operational", None], None), (["under_maintenance"], None), ([], None)])
def test_impact_of_component_statuses(statuses: list[str | None], expected: str | None) -> None:
    """Statuspage's mapping: the worst component status names the impact."""
    assert impact_of(statuses) == expected


def test_a_declared_outage_is_critical_and_a_chosen_impact_wins(core: Core) -> None:
    """`-c app:major_outage` alone is critical; with `--impact minor` it stays minor; no component: minor."""
    with transaction(core.sessions) as s:
        service.declare(s, title="Down", changes=[("app", "major_outage")])
        service.declare(s, title="Chosen", changes=[("app", "major_outage")], impact="minor")
        service.declare(s, title="Plain")
    assert [impact(core, n) for n in (1, 2, 3)] == ["critical", "minor", "minor"]


def test_an_outage_that_spreads_raises_the_impact_and_never_lowers_it(core: Core) -> None:
    """A later partial outage raises minor to major; a later slowdown leaves major as it is."""
    with transaction(core.sessions) as s:
        service.declare(s, title="Slow", changes=[("app", "degraded_performance")])
    with transaction(core.sessions) as s:
        service.post_update(s, incident_id=1, changes=[("admin", "partial_outage")], body="worse")
    assert impact(core, 1) == "major"
    with transaction(core.sessions) as s:
        service.post_update(s, incident_id=1, changes=[("admin", "degraded_performance")], body="better")
    assert impact(core, 1) == "major"

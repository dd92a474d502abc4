"""Job planning: which jobs a window or incident needs, and the cadence setting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.core import Core
from bot.errors import ConfigError
from bot.schedule.scheduler import run_due
from tests.bot.schedule.scheduling import END, MIN, T, jobs_of, run, schedule

H = timedelta(hours=1)


@pytest.mark.parametrize(("value", "expected"), [
    ("30", {"critical": 30, "major": 30, "minor": 30, "none": 30}),
    ("critical=15,major=30,minor=60", {"critical": 15, "major": 30, "minor": 60, "none": 30}),
    ("45, critical=10", {"critical": 10, "major": 45, "minor": 45, "none": 45}),
    ("0", {"critical": 0, "major": 0, "minor": 0, "none": 0}),
])
def test_cadence_setting_per_impact(value: str, expected: dict[str, int]) -> None:
    """HERALD_UPDATE_CADENCE is minutes for every impact, or per impact with a bare default."""
    config = load_config({"HERALD_UPDATE_CADENCE": value})
    assert {impact: config.cadence_for(impact) for impact in expected} == expected


@pytest.mark.parametrize("value", ["soon", "critical=fast", "urgent=5", "major=-1"])
def test_bad_cadence_names_the_variable(value: str) -> None:
    """A malformed cadence fails at start-up naming HERALD_UPDATE_CADENCE."""
    with pytest.raises(ConfigError, match="HERALD_UPDATE_CADENCE"):
        load_config({"HERALD_UPDATE_CADENCE": value})


def test_a_window_gets_reminder_start_and_complete(core: Core) -> None:
    """Scheduling plans the reminder an hour ahead, the start and the end."""
    number = schedule(core)
    assert jobs_of(core, number) == [("remind", T - H, "pending"), ("start", T, "pending"),
                                     ("complete", END, "pending")]


def test_extending_away_and_back_revives_the_first_end(core: Core) -> None:
    """An end moved later and then back fires once, at the original time."""
    number = schedule(core)
    run(core, f"extend {number} --to 05:03", now=T - 2 * H)
    run(core, f"extend {number} --to 04:03", now=T - 2 * H + MIN)
    assert [(d, s) for k, d, s in jobs_of(core, number) if k == "complete"] == [
        (END, "pending"), (END + H, "cancelled")]
    assert run_due(core, now=END) == 3
    assert [s for _, _, s in jobs_of(core, number)] == ["done", "done", "done", "cancelled"]


def test_zero_cadence_means_no_reminders(database_url: str, tmp_path: Path) -> None:
    """HERALD_UPDATE_CADENCE=0 plans no update-cadence reminders."""
    from herald.app import create_core
    from tests.support import make_env

    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_UPDATE_CADENCE="0")))
    try:
        out = run(core, "open Quiet one -c app", now=T)
        assert out.incident is not None and jobs_of(core, out.incident.id) == []
    finally:
        core.engine.dispose()


def test_an_edit_does_not_reset_the_cadence(core: Core) -> None:
    """Correcting an update's text is not news: the reminder stays where it was."""
    out = run(core, "open Typo -c app -m Investigating a problme", now=T)
    assert out.incident is not None
    run(core, f"edit {out.incident.id} -m Investigating a problem", now=T + 10 * MIN)
    assert jobs_of(core, out.incident.id) == [("cadence", T + 30 * MIN, "pending")]

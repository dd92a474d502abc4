"""Maintenance windows that run themselves: jobs fire at their times, once, with honest times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.commands import preview
from bot.config import load_config
from bot.core import Core
from bot.domain import service
from bot.domain.models import Component
from bot.domain.snapshots import incident_view
from bot.schedule.scheduler import run_due
from bot.store.db import transaction
from herald.app import create_core
from tests.bot.schedule.scheduling import END, MIN, T, deliveries, incident, jobs_of, run, schedule, updates, with_probe
from tests.support import make_env

H = timedelta(hours=1)


@pytest.fixture
def herald(core: Core) -> Core:
    """The test core with the probe channel enabled."""
    return with_probe(core)


def statuses(core: Core) -> dict[str, str]:
    """Each component's status."""
    with core.sessions() as s:
        return {c.name: c.status for c in s.scalars(select(Component))}


def test_window_starts_at_its_start_and_completes_at_its_end(herald: Core) -> None:
    """At T the window goes in progress with its components under maintenance; at its end it completes."""
    number = schedule(herald)
    assert run_due(herald, now=T - 2 * MIN) == 1  # only the reminder, at T − 1 h, is due yet
    assert incident(herald, number).status == "scheduled"
    assert run_due(herald, now=T) == 1
    window = incident(herald, number)
    assert (window.status, window.started_at) == ("in_progress", T)
    assert statuses(herald)["app"] == statuses(herald)["admin"] == "under_maintenance"
    assert run_due(herald, now=END - MIN) == 0
    assert run_due(herald, now=END) == 1
    window = incident(herald, number)
    assert (window.status, window.resolved_at) == ("completed", END)
    assert set(statuses(herald).values()) == {"operational"}
    assert [(u.event, u.status) for u in updates(herald, number)] == [
        ("schedule", "scheduled"), ("update", "scheduled"), ("start", "in_progress"), ("complete", "completed")]
    assert [u.display_at for u in updates(herald, number)[2:]] == [T, END]


def test_each_transition_queues_a_delivery_per_channel_with_spec_times(herald: Core) -> None:
    """Every transition is queued for every channel, and what they render carries SPEC-formatted times."""
    number = schedule(herald)
    for now in (T - H, T, END):
        run_due(herald, now=now)
    names = herald.publisher_names
    assert "probe" in names
    assert deliveries(herald, number) == [(n, p) for n in (1, 2, 3, 4) for p in names]
    with herald.sessions() as s:
        view = incident_view(service.get_incident(s, number), herald.config.public_url)
        texts = [preview(herald, view, u)[names.index("probe")].text for u in service.get_incident(s, number).updates]
    assert texts[1] == ("[DB upgrade] 2010-09-02 01:03 PDT (08:03 UTC): Reminder: the scheduled maintenance "
                        "begins in 1 h, 2010-09-02 02:03–04:03 PDT (09:03–11:03 UTC).")
    assert texts[2].startswith("[DB upgrade] 2010-09-02 02:03 PDT (09:03 UTC): The scheduled maintenance is now")
    assert texts[3] == "[DB upgrade] 2010-09-02 04:03 PDT (11:03 UTC): The scheduled maintenance has been completed."


def test_reminder_fires_once_an_hour_before_the_start(herald: Core) -> None:
    """The reminder is published once, at T − 1 h, and never again."""
    number = schedule(herald)
    assert run_due(herald, now=T - H - MIN) == 0
    assert run_due(herald, now=T - H) == 1
    assert [run_due(herald, now=T - H + k * MIN) for k in (0, 1, 30)] == [0, 0, 0]
    reminders = [u for u in updates(herald, number) if u.body.startswith("Reminder:")]
    assert len(reminders) == 1 and reminders[0].display_at == T - H


def test_worker_down_across_the_start_starts_late_and_says_so(herald: Core) -> None:
    """A worker back 47 min after T starts the window then, and its update names the true time."""
    number = schedule(herald)
    late = T + 47 * MIN
    assert run_due(herald, now=late) == 2  # the overdue reminder is dropped, the start fires
    window = incident(herald, number)
    assert (window.status, window.started_at) == ("in_progress", late)
    started = updates(herald, number)[-1]
    assert [u.event for u in updates(herald, number)] == ["schedule", "start"]
    assert started.display_at == late
    assert started.body == ("The scheduled maintenance began at 2010-09-02 02:50 PDT (09:50 UTC), 47 min later "
                            "than planned.")


def test_worker_down_across_the_whole_window_completes_it_honestly(herald: Core) -> None:
    """A worker back after the end closes the window once, saying the notice is late."""
    number = schedule(herald)
    assert run_due(herald, now=END + 10 * MIN) == 3
    assert [u.event for u in updates(herald, number)] == ["schedule", "complete"]
    completed = updates(herald, number)[-1]
    assert completed.body == ("The scheduled maintenance has been completed. This notice comes late: the window "
                              "was due to end at 2010-09-02 04:03 PDT (11:03 UTC).")
    assert completed.display_at == END + 10 * MIN
    assert incident(herald, number).status == "completed"


def test_no_auto_window_is_reminded_but_never_moved(herald: Core) -> None:
    """--no-auto gets its reminder but no start or complete: a person moves it."""
    number = schedule(herald, "--no-auto")
    assert [kind for kind, _, _ in jobs_of(herald, number)] == ["remind"]
    assert run_due(herald, now=T - H) == 1
    assert run_due(herald, now=END + H) == 0
    assert incident(herald, number).status == "scheduled"
    run(herald, f"start {number}", now=T + MIN)
    run(herald, f"complete {number}", now=END)
    assert incident(herald, number).status == "completed"


def test_manual_start_cancels_the_start_and_keeps_the_end(herald: Core) -> None:
    """Starting by hand cancels the pending start and reminder; the window still completes at its end."""
    number = schedule(herald)
    run(herald, f"start {number}", now=T - 2 * H)
    assert [(k, s) for k, _, s in jobs_of(herald, number)] == [
        ("remind", "cancelled"), ("start", "cancelled"), ("complete", "pending")]
    assert run_due(herald, now=T) == 0
    assert run_due(herald, now=END) == 1
    assert [u.event for u in updates(herald, number)] == ["schedule", "start", "complete"]


def test_manual_complete_cancels_every_pending_job(herald: Core) -> None:
    """Completing by hand leaves nothing to fire."""
    number = schedule(herald)
    run(herald, f"complete {number}", now=T - 2 * H)
    assert {s for _, _, s in jobs_of(herald, number)} == {"cancelled"}
    assert run_due(herald, now=END + H) == 0


def test_extend_moves_the_end_and_says_so(herald: Core) -> None:
    """/incident extend moves the complete job to the new end and announces it."""
    number = schedule(herald)
    run_due(herald, now=T)
    run(herald, f"extend {number} --to 05:03", now=T + H)
    assert [(k, d, s) for k, d, s in jobs_of(herald, number) if k == "complete"] == [
        ("complete", END, "cancelled"), ("complete", END + H, "pending")]
    assert updates(herald, number)[-1].body == (
        "The maintenance window has been extended; it is now expected to end at 2010-09-02 05:03 PDT (12:03 UTC).")
    assert run_due(herald, now=END) == 0
    assert run_due(herald, now=END + H) == 1
    assert incident(herald, number).resolved_at == END + H


def test_a_job_that_no_longer_fits_is_skipped(herald: Core) -> None:
    """A window completed behind the scheduler's back is not started again."""
    number = schedule(herald)
    with transaction(herald.sessions) as s:
        service.complete_maintenance(s, incident_id=number, now=T - 2 * H)
    assert run_due(herald, now=END) == 3
    assert [u.event for u in updates(herald, number)] == ["schedule", "complete"]


def test_no_reminder_when_announced_less_than_the_reminder_ahead(herald: Core) -> None:
    """A window announced 30 min ahead is not reminded about: the announcement is the reminder."""
    number = schedule(herald, now=T - 30 * MIN)
    assert [kind for kind, _, _ in jobs_of(herald, number)] == ["start", "complete"]


@pytest.fixture
def overridden(database_url: str, tmp_path: Path) -> Iterator[Core]:
    """A core whose HERALD_TEMPLATES_DIR overrides the in-progress and identified texts."""
    folder = tmp_path / "mytemplates" / "messages"
    folder.mkdir(parents=True)
    (folder / "in_progress.j2").write_text("Work on our database began {{ at|instant }}.\n")
    (folder / "identified.j2").write_text("Found it.\n")
    env = make_env(database_url, tmp_path, HERALD_TEMPLATES_DIR=str(tmp_path / "mytemplates"),
                   HERALD_MAINTENANCE_REMINDER="0")
    built = create_core(load_config(env))
    yield built
    built.engine.dispose()


def test_user_template_folder_overrides_the_built_in_texts(overridden: Core) -> None:
    """An operator's templates replace the built-in texts; the rest still come from Herald."""
    number = schedule(overridden)
    assert [kind for kind, _, _ in jobs_of(overridden, number)] == ["start", "complete"]  # reminder off
    run_due(overridden, now=T)
    assert updates(overridden, number)[-1].body == "Work on our database began 2010-09-02 02:03 PDT (09:03 UTC)."
    run_due(overridden, now=END)
    assert updates(overridden, number)[-1].body == "The scheduled maintenance has been completed."
    out = run(overridden, "open Slow logins -c app", now=T)
    run(overridden, f"update {out.incident.id if out.incident else 0} -s identified", now=T + MIN)
    assert updates(overridden, out.incident.id if out.incident else 0)[-1].body == "Found it."


def test_a_broken_operator_template_publishes_nothing_until_fixed(database_url: str, tmp_path: Path) -> None:
    """A job whose text cannot be rendered stays pending, writes nothing, and fires once the lease ends after a fix."""
    folder = tmp_path / "mine" / "messages"
    folder.mkdir(parents=True)
    broken = folder / "in_progress.j2"
    broken.write_text("Started {{ no_such_thing }}\n")
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_TEMPLATES_DIR=str(tmp_path / "mine"))))
    try:
        number = schedule(core)
        assert run_due(core, now=T) == 2  # the reminder (late, skipped) and the failed start
        assert (incident(core, number).status, len(updates(core, number))) == ("scheduled", 1)
        assert ("start", T, "pending") in jobs_of(core, number)
        broken.write_text("Started at {{ at|instant }}.\n")
        assert run_due(core, now=T + MIN) == 0  # still leased: no hot retry loop
        assert run_due(core, now=T + 5 * MIN) == 1
        assert updates(core, number)[-1].body == "Started at 2010-09-02 02:08 PDT (09:08 UTC)."
    finally:
        core.engine.dispose()

"""Running parsed /incident commands on the core: each command's Outcome, dry runs, refusals, help."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.commands import Outcome, execute
from bot.core import Core
from bot.delivery import outbox
from bot.domain.models import Delivery, Incident, Job, Update
from bot.errors import DomainError, NotFound
from bot.store import db
from bot.text import grammar as g
from tests.fakes.scripted_plugin import install

NOW = datetime(2010, 9, 2, 16, 0, tzinfo=UTC)  # 09:00 PDT
INVESTIGATING = "We are investigating reports of a problem and will post an update as soon as we know more."


def do(core: Core, text: str, now: datetime = NOW) -> Outcome:
    """Parse `text` as typed after /incident and execute it at `now`."""
    return execute(core, g.parse(text), author="U123", now=now)


def counts(core: Core) -> tuple[int, int, int, int]:
    """How many incidents, updates, deliveries and jobs are stored."""
    with core.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[return-value]
                     for model in (Incident, Update, Delivery, Job))


@pytest.fixture
def woken() -> Iterator[None]:
    """The worker's wake event starts cleared and is cleared again afterwards."""
    outbox.wake.clear()
    yield
    outbox.wake.clear()


def test_open_stores_the_incident_and_describes_it(core: Core, woken: None) -> None:
    """`open` answers with the new incident, its first update's number and its queued deliveries, and wakes workers."""
    out = do(core, "open APP Connectivity Issues -c app,admin -i major -m We just experienced an *issue*.")
    assert (out.action, out.update_number, out.dry_run, out.previews) == ("open", 1, False, [])
    assert out.incident is not None
    i = out.incident
    assert (i.title, i.kind, i.impact, i.status, i.started_at) == (
        "APP Connectivity Issues", "incident", "major", "investigating", NOW)
    assert [(a.name, a.status) for a in i.affected] == [("app", "partial_outage"), ("admin", "partial_outage")]
    assert [(u.number, u.body) for u in i.updates] == [(1, "We just experienced an *issue*.")]
    [summary] = out.deliveries[i.id]
    assert (summary.update_number, summary.publisher, summary.state, summary.next_attempt_at) == (
        1, "statuspage", "pending", NOW)
    assert counts(core) == (1, 1, 1, 1)  # the cadence reminder is the job
    assert outbox.wake.is_set()


def test_update_answers_with_the_new_update_only(core: Core) -> None:
    """`update` describes the incident with just the update it posted, and that update's deliveries."""
    do(core, "open Checkout down")
    out = do(core, "update 1 -s identified Found a bad deploy.", NOW + timedelta(minutes=5))
    assert (out.action, out.update_number) == ("update", 2)
    assert out.incident is not None and out.incident.status == "identified"
    assert [(u.number, u.status, u.body) for u in out.incident.updates] == [(2, "identified", "Found a bad deploy.")]
    assert [(d.update_number, d.publisher) for d in out.deliveries[1]] == [(2, "statuspage")]


def test_resolve_and_reopen(core: Core) -> None:
    """`resolve` and `reopen` answer with their action, the new status and their update's number."""
    do(core, "open Checkout down -c app")
    resolved = do(core, "resolve 1", NOW + timedelta(minutes=10))
    assert (resolved.action, resolved.update_number) == ("resolve", 2)
    assert resolved.incident is not None and resolved.incident.status == "resolved"
    assert resolved.incident.resolved_at == NOW + timedelta(minutes=10)
    reopened = do(core, "reopen 1 -m It is back.", NOW + timedelta(minutes=20))
    assert (reopened.action, reopened.update_number) == ("reopen", 3)
    assert reopened.incident is not None and (reopened.incident.status, reopened.incident.resolved_at) == (
        "investigating", None)


def test_a_window_from_schedule_to_completion(core: Core) -> None:
    """`maintenance`, `start`, `extend` and `complete` each answer with their action and the window's new state."""
    out = do(core, "maintenance DB upgrade --from 2010-09-03 02:00 --to 2010-09-03 04:00 -c admin")
    assert (out.action, out.update_number, out.late_start) == ("maintenance", 1, None)
    assert out.incident is not None
    assert (out.incident.kind, out.incident.status, out.incident.scheduled_for, out.incident.scheduled_until) == (
        "maintenance", "scheduled", datetime(2010, 9, 3, 9, tzinfo=UTC), datetime(2010, 9, 3, 11, tzinfo=UTC))
    day = datetime(2010, 9, 3, 9, 30, tzinfo=UTC)
    started = do(core, "start 1", day)
    assert started.action == "start" and started.incident is not None and started.incident.status == "in_progress"
    extended = do(core, "extend 1 --to 05:00", day)
    assert extended.action == "extend" and extended.incident is not None
    assert extended.incident.scheduled_until == datetime(2010, 9, 3, 12, tzinfo=UTC)
    completed = do(core, "complete 1", day + timedelta(hours=1))
    assert (completed.action, completed.update_number) == ("complete", 4)
    assert completed.incident is not None and completed.incident.status == "completed"


def test_a_window_whose_start_passed_starts_now_and_says_when_it_was_due(core: Core) -> None:
    """A window given a start already past is stored as starting now; the outcome names the start asked for."""
    out = do(core, "maintenance Late one --from 2010-09-02 08:00 --to 11:00")
    assert out.late_start == datetime(2010, 9, 2, 15, tzinfo=UTC)  # 08:00 PDT, an hour ago
    assert out.incident is not None and out.incident.scheduled_for == NOW
    assert out.incident.scheduled_until == datetime(2010, 9, 2, 18, tzinfo=UTC)


def test_a_bare_window_is_its_next_occurrence(core: Core) -> None:
    """`--from 23:00 --to 02:00` typed in the morning is tonight's three hours, across midnight."""
    out = do(core, "maintenance Nightly --from 23:00 --to 02:00")
    assert out.incident is not None
    assert (out.incident.scheduled_for, out.incident.scheduled_until) == (
        datetime(2010, 9, 3, 6, tzinfo=UTC), datetime(2010, 9, 3, 9, tzinfo=UTC))


def test_a_bare_window_already_past_today_is_tomorrows(core: Core) -> None:
    """`--from 2am --to 4am` typed at 17:35 is the next morning's window."""
    evening = datetime(2010, 9, 3, 0, 35, tzinfo=UTC)  # 2010-09-02 17:35 PDT
    out = do(core, "maintenance Early --from 2am --to 4am", evening)
    assert out.incident is not None
    assert (out.incident.scheduled_for, out.incident.scheduled_until) == (
        datetime(2010, 9, 3, 9, tzinfo=UTC), datetime(2010, 9, 3, 11, tzinfo=UTC))


def test_edit_answers_with_the_corrected_update(core: Core) -> None:
    """`edit` answers with the update it corrected, now at revision 1, and its deliveries of both revisions."""
    do(core, "open Checkout down -m Checkout is dwn.")
    out = do(core, "edit 1 -m Checkout is down.", NOW + timedelta(minutes=1))
    assert (out.action, out.update_number) == ("edit", 1)
    assert out.incident is not None
    assert [(u.number, u.revision, u.body) for u in out.incident.updates] == [(1, 1, "Checkout is down.")]
    assert [(d.update_number, d.revision) for d in out.deliveries[1]] == [(1, 0), (1, 1)]


def test_list_show_and_components_describe_without_writing(core: Core, woken: None) -> None:
    """The read commands answer with views and delivery summaries, write nothing and wake nobody."""
    do(core, "open First -c app -i critical")
    do(core, "open Second")
    do(core, "resolve 2", NOW + timedelta(minutes=1))
    outbox.wake.clear()
    before = counts(core)
    listed = do(core, "list")
    assert (listed.action, [i.id for i in listed.incidents]) == ("list", [1])
    assert [i.id for i in do(core, "list all").incidents] == [2, 1]
    assert [(d.update_number, d.state) for d in do(core, "list all").deliveries[2]] == [(1, "pending"), (2, "pending")]
    shown = do(core, "show 2")
    assert shown.action == "show" and shown.incident is not None
    assert [u.number for u in shown.incident.updates] == [1, 2]
    assert [d.update_number for d in shown.deliveries[2]] == [1, 2]
    components = do(core, "components")
    assert components.action == "components"
    assert [(c.name, c.status) for c in components.components][:2] == [
        ("app", "major_outage"), ("admin", "operational")]
    assert counts(core) == before and not outbox.wake.is_set()


def test_retry_requeues_failed_and_dead_and_wakes_workers(core: Core, woken: None) -> None:
    """`retry` answers with how many failed or dead deliveries it put back, and wakes the workers when any."""
    do(core, "open Checkout down")
    do(core, "update 1 Still down.")
    do(core, "update 1 Still down, sorry.")
    with db.transaction(core.sessions) as s:
        s.execute(update(Delivery).where(Delivery.id == 1).values(state="failed"))
        s.execute(update(Delivery).where(Delivery.id == 2).values(state="dead"))
        s.execute(update(Delivery).where(Delivery.id == 3).values(state="sent"))
    outbox.wake.clear()
    out = do(core, "retry 1")
    assert (out.action, out.requeued) == ("retry", 2) and outbox.wake.is_set()
    outbox.wake.clear()
    assert do(core, "retry #1").requeued == 0 and not outbox.wake.is_set()


@pytest.mark.parametrize("text", [
    "open Checkout down -c app --dry-run",
    "update 1 -s identified --dry-run Found it.",
    "resolve 1 --dry-run",
    "maintenance Upgrade --from 23:00 --to 02:00 -c admin --dry-run",
    "start 2 --dry-run",
    "preview 1 -s monitoring -m Would say this.",
])
def test_dry_runs_store_nothing_and_wake_nobody(core: Core, woken: None, text: str) -> None:
    """A `--dry-run` or `preview` renders what every channel would get, then rolls everything back."""
    do(core, "open Checkout down -c app")
    do(core, "maintenance Upgrade --from 10:00 --to 11:00")
    outbox.wake.clear()
    before = counts(core)
    out = do(core, text, NOW + timedelta(minutes=1))
    assert out.dry_run and out.update_number is not None
    assert [p.publisher for p in out.previews] == core.publisher_names
    assert counts(core) == before and not outbox.wake.is_set()


def test_a_preview_shows_every_channel_the_whole_incident(core: Core) -> None:
    """A preview renders the would-be update for every enabled channel, with the incident's earlier updates."""
    install(core)
    do(core, "open Checkout down -m Looking.")
    out = do(core, "preview 1 -m Would say *this*.", NOW + timedelta(minutes=1))
    assert (out.action, out.dry_run, out.update_number) == ("preview", True, 2)
    assert out.incident is not None and [u.number for u in out.incident.updates] == [1, 2]
    assert [p.publisher for p in out.previews] == ["statuspage", "pager"]
    assert out.previews[1].text == "#1 u2: Would say *this*."
    assert "Would say" in out.previews[0].text and out.previews[0].meta["url"] == out.incident.url


def test_publish_to_an_unknown_channel_is_refused_and_stores_nothing(core: Core, woken: None) -> None:
    """`--publish` naming a channel that is not enabled is refused, naming it and the enabled ones."""
    with pytest.raises(DomainError) as caught:
        do(core, "open Checkout down --publish statuspage,nowhere")
    assert str(caught.value) == 'unknown or disabled channel "nowhere" (enabled: statuspage)'
    with pytest.raises(DomainError, match='"twitter"'):  # installed, but not enabled here
        do(core, "open Checkout down --publish twitter")
    assert counts(core) == (0, 0, 0, 0) and not outbox.wake.is_set()


def test_publish_to_some_channels_queues_only_those(core: Core) -> None:
    """`--publish pager` queues the update for the pager alone."""
    install(core)
    out = do(core, "open Checkout down --publish pager")
    assert out.incident is not None
    assert [d.publisher for d in out.deliveries[out.incident.id]] == ["pager"]
    assert [d.publisher for d in do(core, "update 1 More.").deliveries[1]] == ["statuspage", "pager"]


def test_a_message_left_out_is_the_default_text_of_the_status(core: Core) -> None:
    """Without -m, each update carries the operator's default text for its status, times from the formatter."""
    opened = do(core, "open Checkout down")
    assert opened.incident is not None and opened.incident.updates[0].body == INVESTIGATING
    identified = do(core, "update 1 -s identified")
    assert identified.incident is not None
    assert identified.incident.updates[0].body == "The cause has been identified and a fix is being worked on."
    resolved = do(core, "resolve 1")
    assert resolved.incident is not None and resolved.incident.updates[0].body == "This incident has been resolved."
    window = do(core, "maintenance Nightly --from 23:00 --to 02:00")
    assert window.incident is not None and window.incident.updates[0].body == (
        "Maintenance is scheduled for 2010-09-02 23:00 – 2010-09-03 02:00 PDT (2010-09-03 06:00–09:00 UTC). "
        "We will post here when it begins and ends.")


def test_help_and_the_bare_command(core: Core, woken: None) -> None:
    """`help` gives every usage line, `help update` its own, and bare /incident the help of all."""
    every = do(core, "help")
    assert (every.action, every.usage, every.topic) == ("help", list(g.USAGE.values()), None)
    one = do(core, "help UPDATE")
    assert (one.action, one.usage, one.topic) == ("help", [g.USAGE["update"]], "update")
    bare = do(core, "")
    assert (bare.action, bare.usage, bare.topic, bare.incident) == ("help", list(g.USAGE.values()), None, None)
    assert counts(core) == (0, 0, 0, 0) and not outbox.wake.is_set()


@pytest.mark.parametrize("text", ["show 9", "retry 9", "update 9 Hello.", "resolve #9", "preview 9 -m Hi."])
def test_an_unknown_incident_is_refused(core: Core, text: str) -> None:
    """A command naming an incident that does not exist is refused with NotFound, and nothing is stored."""
    with pytest.raises(NotFound, match="#9"):
        do(core, text)
    assert counts(core) == (0, 0, 0, 0)

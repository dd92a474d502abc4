"""Update-cadence reminders: Slack is nudged in the incident's thread after 30 min of public silence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.core import Core
from bot.domain.models import Incident
from bot.schedule import jobs
from bot.schedule.scheduler import run_due
from bot.store.db import transaction
from herald.app import create_core
from tests.bot.schedule.scheduling import MIN, T, jobs_of, run, updates
from tests.fakes import slack
from tests.support import make_env

CHANNEL, CARD = "C0INCIDENT", "1283418180.000100"


@pytest.fixture(scope="module")
def slack_server() -> Iterator[slack.FakeSlack]:
    """The fake Slack Web API on 127.0.0.1, started once for this module."""
    fake, server = slack.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_slack(slack_server: slack.FakeSlack) -> Iterator[slack.FakeSlack]:
    """The fake Slack with no calls recorded yet and its normal answers."""
    with slack_server.lock:
        slack_server.calls.clear()
    yield slack_server
    vars(slack_server).pop("answer", None)


def make_core(database_url: str, tmp_path: Path, fake: slack.FakeSlack | None, **extra: str) -> Core:
    """A core whose Slack (if `fake`) is the fake server."""
    env = make_env(database_url, tmp_path, **extra)
    if fake is not None:
        env.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s3cret", SLACK_API_URL=f"{fake.url}/api/")
    return create_core(load_config(env))


@pytest.fixture
def herald(database_url: str, tmp_path: Path, fake_slack: slack.FakeSlack) -> Iterator[Core]:
    """A core talking to the fake Slack, with the default 30 min cadence."""
    core = make_core(database_url, tmp_path, fake_slack)
    yield core
    core.engine.dispose()


def declare(core: Core, text: str = "open Checkout errors -c app -i major") -> int:
    """Declare an incident at T and give it a Slack card, as the Slack side does."""
    out = run(core, text, now=T)
    assert out.incident is not None
    with transaction(core.sessions) as s:
        row = s.get(Incident, out.incident.id)
        assert row is not None
        row.slack_channel, row.slack_card_ts = CHANNEL, CARD
    return out.incident.id


def reminders(fake: slack.FakeSlack) -> list[dict]:
    """Every chat.postMessage the fake received."""
    return fake.of("chat.postMessage")


def test_reminder_after_30_minutes_of_silence_in_the_thread(herald: Core, fake_slack: slack.FakeSlack) -> None:
    """After 30 silent minutes the incident's thread gets a reminder with the three buttons."""
    number = declare(herald)
    assert run_due(herald, now=T + 29 * MIN) == 0
    assert reminders(fake_slack) == []
    assert run_due(herald, now=T + 30 * MIN) == 1
    [sent] = reminders(fake_slack)
    assert (sent["channel"], sent["thread_ts"]) == (CHANNEL, CARD)
    assert f"No public update on #{number} Checkout errors for 30 min" in sent["text"]
    assert "2010-09-02 02:03 PDT (09:03 UTC)" in sent["text"]
    blocks = sent["blocks"] if isinstance(sent["blocks"], list) else json.loads(sent["blocks"])
    buttons = blocks[1]["elements"]
    assert [(b["action_id"], b["text"]["text"], b["value"]) for b in buttons] == [
        ("reminder_post_update", "Post update", str(number)), ("reminder_snooze", "Snooze 30 min", str(number)),
        ("reminder_continue", "Still investigating", str(number))]


def test_reminders_repeat_while_silent_and_an_update_resets_them(herald: Core,
                                                                   fake_slack: slack.FakeSlack) -> None:
    """A reminder comes every 30 min of silence; a public update restarts the count."""
    number = declare(herald)
    run_due(herald, now=T + 30 * MIN)
    run_due(herald, now=T + 45 * MIN)
    assert len(reminders(fake_slack)) == 1
    run(herald, f"update {number} -s identified Bad deploy", now=T + 50 * MIN)
    assert run_due(herald, now=T + 60 * MIN) == 0
    assert run_due(herald, now=T + 80 * MIN) == 1
    assert len(reminders(fake_slack)) == 2
    assert "for 30 min" in reminders(fake_slack)[1]["text"]


def test_snooze_holds_the_next_reminder_30_minutes(herald: Core, fake_slack: slack.FakeSlack) -> None:
    """Snoozing at T+31 moves the next reminder from T+60 to T+61."""
    number = declare(herald)
    run_due(herald, now=T + 30 * MIN)
    with transaction(herald.sessions) as s:
        incident = s.get(Incident, number)
        assert incident is not None
        jobs.snooze(s, incident=incident, now=T + 31 * MIN)
    assert run_due(herald, now=T + 60 * MIN) == 0
    assert run_due(herald, now=T + 61 * MIN) == 1
    assert len(reminders(fake_slack)) == 2
    assert "for 1 h 1 min" in reminders(fake_slack)[1]["text"]


def test_nothing_fires_after_resolution(herald: Core, fake_slack: slack.FakeSlack) -> None:
    """Resolving cancels the reminders: no Slack message, ever after."""
    number = declare(herald)
    run_due(herald, now=T + 30 * MIN)
    run(herald, f"resolve {number}", now=T + 40 * MIN)
    assert {s for k, _, s in jobs_of(herald, number) if k == "cadence"} == {"done", "cancelled"}
    assert run_due(herald, now=T + 10 * 60 * MIN) == 0
    assert len(reminders(fake_slack)) == 1


def test_cadence_per_impact(database_url: str, tmp_path: Path, fake_slack: slack.FakeSlack) -> None:
    """HERALD_UPDATE_CADENCE=critical=15,major=30,minor=60 reminds a critical incident after 15 min."""
    core = make_core(database_url, tmp_path, fake_slack, HERALD_UPDATE_CADENCE="critical=15,major=30,minor=60")
    try:
        critical = declare(core, "open Everything down -c app -i critical")
        minor = declare(core, "open Slow search -c www -i minor")
        assert [d - T for k, d, _ in jobs_of(core, critical) if k == "cadence"] == [15 * MIN]
        assert [d - T for k, d, _ in jobs_of(core, minor) if k == "cadence"] == [60 * MIN]
        assert run_due(core, now=T + 15 * MIN) == 1
        assert len(reminders(fake_slack)) == 1
    finally:
        core.engine.dispose()


def test_without_slack_reminders_are_skipped_quietly(database_url: str, tmp_path: Path) -> None:
    """With no Slack settings the due reminder is recorded as skipped and not rescheduled."""
    core = make_core(database_url, tmp_path, None)
    try:
        number = declare(core)
        assert run_due(core, now=T + 30 * MIN) == 1
        assert [(k, s) for k, _, s in jobs_of(core, number)] == [("cadence", "done")]
        assert run_due(core, now=T + 5 * 60 * MIN) == 0
        assert [u.event for u in updates(core, number)] == ["declare"]
    finally:
        core.engine.dispose()


def test_maintenance_windows_get_no_cadence_reminders(herald: Core) -> None:
    """Only incidents are nudged; a window speaks at its own times."""
    out = run(herald, "maintenance Upgrade --from 03:00 --to 04:00 -c app", now=T)
    assert out.incident is not None
    assert [k for k, _, _ in jobs_of(herald, out.incident.id)] == ["start", "complete"]


def test_a_refused_reminder_is_logged_and_the_next_one_still_comes(herald: Core,
                                                                   fake_slack: slack.FakeSlack) -> None:
    """When Slack refuses (the bot left the channel) the reminder is not retried at once; the next is due."""
    number = declare(herald)
    fake_slack.answer = lambda method, params: {"ok": False, "error": "not_in_channel"}  # type: ignore[method-assign]
    assert run_due(herald, now=T + 30 * MIN) == 1
    assert run_due(herald, now=T + 31 * MIN) == 0
    assert [(d - T, s) for k, d, s in jobs_of(herald, number)] == [(30 * MIN, "done"), (60 * MIN, "pending")]

"""Maintenance windows from Slack against the server's clock: next occurrences, past ends, late starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.handlers.test_commands import incident
from tests.serving import Served, ephemeral

LA = ZoneInfo("America/Los_Angeles")  # the served Herald's display zone


def scheduled(served: Served, text: str) -> int:
    """Schedule with `/incident maintenance TEXT`; returns the window's number."""
    reply = ephemeral(served.slack.command("maintenance " + text))
    assert reply.startswith("*#"), reply
    return int(reply.split("#", 1)[1].split(" ", 1)[0])


def test_bare_times_that_passed_today_mean_tomorrow(served: Served) -> None:
    """Bare `--from`/`--to` that have passed on today's clock schedule tomorrow's window, not a past one."""
    now = datetime.now(LA)
    bare = [f"{now - timedelta(hours=h):%H:%M}" for h in (2, 1)]
    window = incident(served, scheduled(served, f"Tonight --from {bare[0]} --to {bare[1]} -c app"))
    assert window.scheduled_for is not None and window.scheduled_until is not None
    assert window.scheduled_for > datetime.now(UTC)
    assert f"{window.scheduled_for.astimezone(LA):%H:%M}" == bare[0]


def test_a_window_already_over_is_refused(served: Served) -> None:
    """A dated window that has ended is refused privately, and nothing is scheduled."""
    reply = ephemeral(served.slack.command('maintenance Old --from "2025-01-05 02:00" --to 04:00'))
    assert reply.startswith(":warning:") and "would already be over" in reply
    assert "Old" not in ephemeral(served.slack.command("list all"))


def test_a_late_start_records_the_true_start_and_says_so(served: Served) -> None:
    """A window whose start has passed starts now, and the reply says which start was given."""
    now = datetime.now(UTC)
    given, end = (f"{now + timedelta(hours=h):%Y-%m-%d %H:%M} UTC" for h in (-1, 1))
    reply = ephemeral(served.slack.command(f'maintenance Late --from "{given}" --to "{end}"'))
    assert "had passed: the window starts now" in reply
    window = incident(served, int(reply.split("#", 1)[1].split(" ", 1)[0]))
    assert window.scheduled_for is not None and now <= window.scheduled_for <= datetime.now(UTC)

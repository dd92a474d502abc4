"""`herald incident …` as a newcomer meets it: windows against the clock, reopen, quotes, what happens next."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from bot.domain.models import Incident, Job, Update
from tests.conftest import Run
from tests.support import make_env


def incident(database_url: str, number: int) -> Incident:
    """The stored incident `number` with its updates and jobs read."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        found = session.get(Incident, number)
        assert found is not None
        _ = list(found.updates), list(found.affected)
    engine.dispose()
    return found


def test_a_window_typed_as_bare_times_that_passed_today_is_tomorrows(run: Run, database_url: str) -> None:
    """Typed at 17:35, `--from 3:35pm --to 4:35pm` is tomorrow's window, never one that already ran."""
    now = datetime.now(UTC)
    bare = [f"{now - timedelta(hours=h):%I:%M%p}".lower().lstrip("0") for h in (2, 1)]
    code, out = run("incident", "maintenance", "DB upgrade", "--from", bare[0], "--to", bare[1],
                    HERALD_TIMEZONE="UTC")
    assert code == 0, out
    window = incident(database_url, 1)
    expected = (now + timedelta(hours=22)).replace(second=0, microsecond=0)
    assert (window.scheduled_for, window.scheduled_until) == (expected, expected + timedelta(hours=1))


def test_an_end_before_the_start_on_the_clock_is_the_next_day(run: Run, database_url: str) -> None:
    """A bare `--to` earlier on the clock than `--from` is read after the start (the next day), not refused."""
    now = datetime.now(UTC)
    code, out = run("incident", "maintenance", "Overnight", "--from", f"{now + timedelta(hours=2):%H:%M}",
                    "--to", f"{now + timedelta(hours=1):%H:%M}", HERALD_TIMEZONE="UTC")
    assert code == 0, out
    window = incident(database_url, 1)
    assert window.scheduled_until - window.scheduled_for == timedelta(hours=23)  # type: ignore[operator]


def test_a_window_already_over_is_refused(run: Run, database_url: str) -> None:
    """A dated window in the past exits 1 with the reason; nothing is stored."""
    code, out = run("incident", "maintenance", "Old", "--from", "2025-01-05 02:00", "--to", "04:00")
    assert code == 1 and "would already be over" in out
    assert incident_count(database_url) == 0


def test_a_late_start_records_the_true_start_and_says_so(run: Run, database_url: str) -> None:
    """A window whose start has passed starts now; the reply names the start given and the true one."""
    now = datetime.now(UTC)
    written = (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M UTC")
    code, out = run("incident", "maintenance", "Late", "--from", written, "--to",
                    (now + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M UTC"), HERALD_TIMEZONE="UTC")
    assert code == 0, out
    assert f"The start you gave, {written}, had passed: the window starts now" in out
    window = incident(database_url, 1)
    assert window.scheduled_for is not None and now <= window.scheduled_for <= datetime.now(UTC)
    assert f"Maintenance is scheduled for {window.scheduled_for:%Y-%m-%d %H:%M}" in window.updates[0].body


def test_extend_with_a_bare_time_means_its_next_occurrence(run: Run, database_url: str) -> None:
    """`extend ID --to HH:MM`, earlier on the clock than the window's start, means that time tomorrow."""
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=1)
    written = [(start + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M") for h in (0, 2)]
    run("incident", "maintenance", "DB", "--from", written[0], "--to", written[1], HERALD_TIMEZONE="UTC")
    code, out = run("incident", "extend", "1", "--to", f"{start - timedelta(minutes=30):%H:%M}",
                    HERALD_TIMEZONE="UTC")
    assert code == 0, out
    window = incident(database_url, 1)
    assert window.scheduled_until == start + timedelta(hours=23, minutes=30)


def incident_count(database_url: str) -> int:
    """How many incidents are stored."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        count = len(session.scalars(select(Incident)).all())
    engine.dispose()
    return count


def test_an_update_on_a_resolved_incident_says_it_is_a_postscript(run: Run) -> None:
    """The reply tells that the update became a postscript and how to reopen instead."""
    run("incident", "open", "Checkout", "-c", "app")
    run("incident", "resolve", "1")
    code, out = run("incident", "update", "1", "Some", "data", "was", "lost.")
    assert code == 0
    assert "#1 is resolved: this was posted as a postscript; use `herald incident reopen 1` to reopen it" in out


def test_reopen_from_the_cli_resumes_the_incident_and_its_reminders(run: Run, database_url: str) -> None:
    """`herald incident reopen 1 -s identified` reopens it, publishes a reopen update and plans a reminder."""
    run("incident", "open", "Checkout", "-c", "app:major_outage")
    run("incident", "resolve", "1")
    code, out = run("incident", "reopen", "1", "-s", "identified", "It", "is", "back.")
    assert code == 0, out
    assert "Update 3 (Identified" in out and "It is back." in out
    stored = incident(database_url, 1)
    assert (stored.status, stored.resolved_at, stored.updates[-1].event) == ("identified", None, "reopen")
    assert stored.affected[0].status == "major_outage"
    engine = create_engine(database_url)
    with Session(engine) as session:
        kinds = [(j.kind, j.state) for j in session.scalars(select(Job).where(Job.incident_id == 1))]
    engine.dispose()
    assert ("cadence", "pending") in kinds  # update-cadence reminders resume


def test_titles_keep_their_quotes(run: Run, database_url: str) -> None:
    """A title typed with quotes in it keeps them; a title given as one shell word loses only the shell's."""
    run("incident", "open", 'Its "quoted" word', "-c", "app")
    run("incident", "open", "Its", "“smart”", "word")
    run("incident", "open", "Login broken", "--at", "2010-09-02 02:03")
    titles = [incident(database_url, n).title for n in (1, 2, 3)]
    assert titles == ['Its "quoted" word', "Its “smart” word", "Login broken"]


def test_the_reply_says_how_queued_updates_get_published(run: Run) -> None:
    """After a publishing command the CLI names the channels and the command that publishes them."""
    code, out = run("incident", "open", "Checkout", "-c", "app")
    assert code == 0
    assert "Queued for: statuspage." in out and "`herald worker`" in out and "`herald serve`" in out


CONTROLS = "\x1b[31m\x07\x1b]8;;https://evil.example\x07\x9b2J\x1b"


def test_control_characters_never_reach_the_database_or_the_terminal(run: Run, database_url: str) -> None:
    """ESC, BEL, OSC and C1 CSI typed in a title and message are removed before storing, and not echoed."""
    code, out = run("incident", "open", f"Red{CONTROLS} alert", "-m", f"Look{CONTROLS} here\tnow")
    assert code == 0
    stored = incident(database_url, 1)
    assert (stored.title, stored.updates[0].body) == ("Red[31m]8;;https://evil.example2J alert",
                                                      "Look[31m]8;;https://evil.example2J here\tnow")
    assert not any(ch in out for ch in "\x1b\x07\x9b")


def test_stored_control_characters_are_shown_as_escapes(run: Run, database_url: str) -> None:
    """Text stored before the input rule (or by hand) prints as visible `\\x1b` escapes, never raw."""
    run("incident", "open", "Plain", "-m", "plain")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(update(Incident).values(title="Evil\x1b]0;pwned\x07"))
        conn.execute(update(Update).values(body="Body\x1b[2J\x9b"))
    engine.dispose()
    code, out = run("incident", "show", "1")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "Evil\\x1b]0;pwned\\x07" in out and "Body\\x1b[2J\\x9b" in out


def test_argv_that_is_not_utf8_is_refused(database_url: str, tmp_path: Path) -> None:
    """Bytes that are not UTF-8 on the real command line exit 2 with a clear message; nothing is stored."""
    env = {**os.environ, **make_env(database_url, tmp_path)}
    herald = Path(sys.executable).with_name("herald")
    done = subprocess.run([herald, "incident", "open", b"Caf\xe9 down"], env=env, cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert b"error: the text is not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr
    assert incident_count(database_url) == 0


def test_a_status_of_another_kind_is_refused_before_its_default_text(run: Run, database_url: str) -> None:
    """`open T -s scheduled` (a maintenance status) is refused in plain words, not by a template error."""
    code, out = run("incident", "open", "T", "-s", "scheduled")
    assert code == 1 and '"scheduled" is not a status of an incident' in out and "Traceback" not in out
    code, out = run("incident", "open", "T")
    assert code == 0, out
    code, out = run("incident", "update", "1", "-s", "scheduled")
    assert code == 1 and "is not a status of an incident" in out
    assert len(incident(database_url, 1).updates) == 1


def test_bidirectional_overrides_typed_in_the_cli_are_dropped(run: Run, database_url: str) -> None:
    """U+202E would show `Title gnp.exe` as `Title exe.png` on every channel: the CLI drops it as Slack does."""
    code, out = run("incident", "open", "Title \u202egnp.exe", "-m", "See \u2066file\u2069 \u202anow")
    assert code == 0, out
    stored = incident(database_url, 1)
    assert stored.title == "Title gnp.exe" and stored.updates[0].body == "See file now"
    assert not any(c in out for c in "\u202a\u202e\u2066\u2069")

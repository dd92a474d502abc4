"""The `herald` command line: the slash-command grammar on a terminal, SPEC-formatted output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot.domain.models import Delivery, Incident, Update
from herald.cli import join_words
from tests.conftest import Run
from tests.serving import free_port
from tests.support import make_env

SEED = [
    ["open", "APP", "Connectivity", "Issues", "due", "to", "Backups", "-c", "app,admin", "--at",
     "2010-09-02 02:03", "-m", "We", "just", "experienced", "an", "issue", "impacting", "customer", "sites."],
    ["update", "1", "-s", "identified", "--at", "2010-09-02 02:08", "It", "appears", "as", "though", "a",
     "scheduled", "backup", "impacted", "performance."],
    ["resolve", "1", "--at", "2010-09-02 02:10"],
]


def stored(database_url: str) -> tuple[int, int, int]:
    """Counts of incidents, updates and deliveries."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        got = tuple(conn.scalar(select(func.count()).select_from(t)) or 0 for t in (Incident, Update, Delivery))
    engine.dispose()
    return got  # type: ignore[return-value]


def test_seed_incident_round_trip(run) -> None:  # type: ignore[no-untyped-def]
    """Open, update, resolve and show print SPEC-formatted times, ending with the seed's range."""
    for words in SEED:
        code, out = run("incident", *words)
        assert code == 0, out
    code, out = run("incident", "show", "1")
    assert code == 0
    assert "2010-09-02 02:03–02:10 PDT (09:03–09:10 UTC)" in out
    assert "2010-09-02 02:08 PDT (09:08 UTC) · Identified" in out
    assert "It appears as though a scheduled backup impacted performance." in out


def test_each_update_has_its_pending_delivery(run, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """Every update written through the CLI has one delivery per enabled publisher."""
    for words in SEED:
        run("incident", *words)
    assert stored(database_url) == (1, 3, 3)


@pytest.mark.parametrize(("words", "code", "message"), [
    (["updte", "1", "x"], 2, 'unknown subcommand "updte" — did you mean "update"?'),
    (["update", "1", "--statsu", "x"], 2, 'unknown option "--statsu" — did you mean "--status"?'),
    (["open", "Outage", "--at", "25:99"], 2, "'25:99' is not a real date and time"),
    (["open", "Outage", "--at", "2010-03-14 02:30"], 2, "does not exist on 2010-03-14"),
    (["open", "Outage", "--at", "2010-11-07 01:30"], 2, "write 01:30 PDT or 01:30 PST"),
    (["open", "Caf\udce9"], 2, "the text is not valid UTF-8"),
    (["update", "1", "-c", "serach", "x"], 1, 'unknown component "serach" — did you mean "search"?'),
    (["update", "42", "x"], 1, "no incident #42"),
    (["update", "1", "-s", "in_progress", "x"], 1, "not a status of an incident"),
    (["reopen", "1"], 1, "#1 is investigating, not resolved: post an update instead"),
    (["open", "Later", "--at", "2030-01-01 00:00"], 1, "--at can only backdate"),
    (["maintenance", "Past", "--from", "2025-01-05 02:00", "--to", "04:00"], 1, "would already be over"),
    (["update", "1", "--publish", "twiter", "x"], 1, 'unknown or disabled channel "twiter"'),
])
def test_bad_input_is_one_clear_message_and_changes_nothing(run, database_url: str, words: list[str],  # type: ignore[no-untyped-def]
                                                            code: int, message: str) -> None:
    """Unreadable command lines exit 2 and refused commands exit 1, with a message; nothing is stored."""
    run("incident", "open", "Existing", "-c", "app", HERALD_COMPONENTS="app,search")
    before = stored(database_url)
    status, out = run("incident", *words, HERALD_COMPONENTS="app,search")
    assert (status, message in out, "Traceback" in out) == (code, True, False), out
    assert stored(database_url) == before


@pytest.mark.parametrize(("args", "code", "message"), [
    (["incidnt", "list"], 2, "No such command 'incidnt'"),
    (["demo", "--port", "eighty"], 2, "'eighty' is not a valid integer"),
    (["retry"], 2, "Missing argument 'INCIDENT_ID'"),
    (["components"], 1, "HERALD_CLOCK"),
])
def test_click_usage_errors_exit_2_and_bad_settings_exit_1(run, args: list[str], code: int,  # type: ignore[no-untyped-def]
                                                            message: str) -> None:
    """click's own usage errors exit 2, like the grammar's; a bad setting is a refusal and exits 1."""
    status, out = run(*args, HERALD_CLOCK="13")
    assert (status, message in out) == (code, True), out


def test_help_summaries_are_whole_sentences_and_explain_exit_codes(run) -> None:  # type: ignore[no-untyped-def]
    """`herald --help` shows every command's summary uncut, and the exit codes in its epilog."""
    status, out = run("--help")
    commands = out[out.index("Commands:"):out.index("Exit status:")]
    assert status == 0 and "..." not in commands
    for summary in ("Declare, update and resolve incidents.", "Replay a 2010 status history and serve it.",
                    "Deliver queued updates to every channel.", "Serve Slack, the status page and /healthz.",
                    "Re-queue an incident's failed deliveries."):
        assert summary in out
    assert "1  refused" in out and "2  usage" in out


def test_incident_help_lists_every_subcommand_with_the_cli_prefix(run) -> None:  # type: ignore[no-untyped-def]
    """`herald incident --help` lists each subcommand's usage line as the CLI spells it, never `/incident`."""
    from bot.text.grammar import USAGE

    status, out = run("incident", "--help")
    assert status == 0 and "/incident" not in out
    for line in USAGE.values():
        assert f"herald incident {line}" in out
    assert run("incident", "open", "--help")[1].strip() == f"herald incident {USAGE['open']}"
    assert "herald incident reopen ID" in run("incident", "help")[1]


def test_version_comes_from_the_package_metadata(run) -> None:  # type: ignore[no-untyped-def]
    """`herald --version` prints the installed distribution's version."""
    from importlib.metadata import version

    assert run("--version") == (0, f"herald {version('herald')}\n")


def test_components_lists_configured_components(run) -> None:  # type: ignore[no-untyped-def]
    """`herald components` lists every configured component with its status."""
    run("incident", "open", "Slow", "-c", "www:partial_outage")
    code, out = run("components")
    assert code == 0
    assert "www" in out and "Partial outage" in out and "affiliate" in out


def test_dry_run_writes_nothing(run, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """--dry-run shows the result but stores nothing."""
    code, out = run("incident", "open", "Trial", "--dry-run", "-m", "Just looking")
    assert code == 0 and "Dry run" in out
    assert stored(database_url) == (0, 0, 0)


def test_join_words_requotes_times_but_not_messages() -> None:
    """Words the shell split are re-quoted; the message after -m stays as typed."""
    assert join_words(("update", "1", "--at", "2010-09-02 02:08", "-m", "a  b")) == \
        'update 1 --at "2010-09-02 02:08" -m a  b'


def test_installed_console_script_runs(database_url: str, tmp_path: Path) -> None:
    """The installed `herald` script runs db upgrade and an incident command in a fresh folder."""
    env = {**os.environ, **make_env(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)}
    herald = Path(sys.executable).with_name("herald")
    up = subprocess.run([herald, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True,
                        timeout=60)
    assert up.returncode == 0, up.stderr
    made = subprocess.run([herald, "incident", *SEED[0]], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert "since 2010-09-02 02:03 PDT (09:03 UTC)" in made.stdout


def test_preview_without_an_id_shows_the_usage(run) -> None:  # type: ignore[no-untyped-def]
    """A preview must name the incident it would update; the error shows the usage line."""
    code, out = run("incident", "preview", "-m", "What if")
    assert code == 2
    assert "needs the id" in out and "Usage: herald incident preview [ID]" in out and "/incident" not in out


def test_show_lists_each_delivery_with_its_update_number(run) -> None:  # type: ignore[no-untyped-def]
    """`herald incident show N` prints "update 1 → statuspage: pending", never a Python method's repr."""
    run("incident", *SEED[0])
    run("incident", *SEED[1])
    code, out = run("incident", "show", "1")
    assert code == 0, out
    assert "update 1 → statuspage: pending" in out and "update 2 → statuspage: pending" in out
    assert "built-in method" not in out and "<" not in out.split("Deliveries:", 1)[1]


@pytest.mark.parametrize(("url", "says"), [
    ("sqlite:///{tmp}/fresh.db", "run `herald db upgrade` first"),
    ("sqlite:///{tmp}/no/such/folder/h.db", "cannot use the database DATABASE_URL names"),
    ("postgresql://postgres@127.0.0.1:{port}/test", "cannot use the database DATABASE_URL names"),
    ("mysql://x", "DATABASE_URL: Value error, Herald stores its data in SQLite"),
])
def test_a_database_herald_cannot_use_is_one_line_not_a_traceback(run: Run, tmp_path: Path, url: str,
                                                                   says: str) -> None:
    """Not upgraded, a folder that does not exist, a server that is down, a kind Herald does not speak."""
    code, out = run("incident", "list", DATABASE_URL=url.format(tmp=tmp_path, port=free_port()))
    assert code == 1 and says in out and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1

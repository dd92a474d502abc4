"""The `herald` command line: the slash-command grammar on a terminal, SPEC-formatted output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select

from bot.cli import join_words, main
from bot.models import Delivery, Incident, Update
from tests.conftest import make_env

SEED = [
    ["open", "APP", "Connectivity", "Issues", "due", "to", "Backups", "-c", "app,admin", "--at",
     "2010-09-02 02:03", "-m", "We", "just", "experienced", "an", "issue", "impacting", "customer", "sites."],
    ["update", "1", "-s", "identified", "--at", "2010-09-02 02:08", "It", "appears", "as", "though", "a",
     "scheduled", "backup", "impacted", "performance."],
    ["resolve", "1", "--at", "2010-09-02 02:10"],
]


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Invoke `herald …` in-process with a test environment, returning (exit code, output)."""
    runner = CliRunner()
    env = make_env(database_url, tmp_path)

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


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


@pytest.mark.parametrize(("words", "message"), [
    (["updte", "1", "x"], 'unknown subcommand "updte"'),
    (["update", "1", "-c", "billing", "x"], 'unknown component "billing"'),
    (["update", "42", "x"], "no incident #42"),
    (["update", "1", "-s", "in_progress", "x"], "not a status of a incident"),
    (["open", "Outage", "--at", "2010-03-14 02:30"], "does not exist on 2010-03-14"),
    (["open", "Outage", "--at", "2010-11-07 01:30"], "write 01:30 PDT or 01:30 PST"),
])
def test_bad_input_is_one_clear_line_and_changes_nothing(run, database_url: str, words: list[str],  # type: ignore[no-untyped-def]
                                                         message: str) -> None:
    """Bad input exits non-zero with a message and leaves the database as it was."""
    run("incident", "open", "Existing", "-c", "app")
    before = stored(database_url)
    code, out = run("incident", *words)
    assert code != 0
    assert message in out
    assert "Traceback" not in out
    assert stored(database_url) == before


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
    assert "needs the id" in out and "/incident preview" in out


def test_show_lists_each_delivery_with_its_update_number(run) -> None:  # type: ignore[no-untyped-def]
    """`herald incident show N` prints "update 1 → statuspage: pending", never a Python method's repr."""
    run("incident", *SEED[0])
    run("incident", *SEED[1])
    code, out = run("incident", "show", "1")
    assert code == 0, out
    assert "update 1 → statuspage: pending" in out and "update 2 → statuspage: pending" in out
    assert "built-in method" not in out and "<" not in out.split("Deliveries:", 1)[1]

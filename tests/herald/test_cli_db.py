"""`herald db upgrade` says what it did: created, upgraded, or nothing to do."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from herald.cli import main


def test_db_upgrade_says_what_it_did(tmp_path: Path) -> None:
    """A new database is created at a revision; a second upgrade says it already was at the latest."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    first = CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    assert first.exit_code == 0 and "created the database schema at revision 0" in first.output
    second = CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    assert second.exit_code == 0 and "already at the latest revision" in second.output

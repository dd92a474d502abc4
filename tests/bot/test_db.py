"""Schema and migrations: Alembic creates exactly what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command

from bot import db


def test_migrations_match_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to add: the migrations and the models agree."""
    command.check(db.alembic_config(database_url))


def test_upgrade_is_idempotent(database_url: str) -> None:
    """Running `db upgrade` on an up-to-date database changes nothing and stays at head."""
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        head = db.current_revision(engine)
        assert head is not None
        db.upgrade(database_url)
        assert db.current_revision(engine) == head
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    """Every migration can be undone and redone."""
    cfg = db.alembic_config(database_url)
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    engine = db.make_engine(database_url)
    try:
        assert db.current_revision(engine) is not None
    finally:
        engine.dispose()

"""Schema and migrations: Alembic creates exactly what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command

from bot.store import db


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


def test_processes_starting_together_agree_on_components(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A web and a worker process booting at once on a fresh PostgreSQL both start, with one row per component."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from bot.config import load_config
    from bot.domain.models import Component
    from herald.app import create_core
    from tests.support import make_env

    config = load_config(make_env(pg_url, tmp_path))
    with ThreadPoolExecutor(6) as pool:
        cores = list(pool.map(lambda _: create_core(config, load_publishers=False), range(6)))
    with cores[0].sessions() as session:
        assert session.scalar(select(func.count(Component.id))) == 6
    for core in cores:
        core.engine.dispose()

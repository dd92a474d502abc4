"""`herald db upgrade`'s work and its one line of output: what the upgrade did, read from Alembic's revision."""

from __future__ import annotations

from bot.store import db


def upgrade(url: str) -> str:
    """Upgrade the schema at `url` to the latest migration and say what happened."""
    before = _revision(url)
    db.upgrade(url)
    after = _revision(url)
    if before is None:
        return f"created the database schema at revision {after}"
    if before == after:
        return f"the database schema is already at the latest revision, {after}"
    return f"upgraded the database schema from revision {before} to {after}"


def _revision(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        return db.current_revision(engine)
    finally:
        engine.dispose()

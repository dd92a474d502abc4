"""Engines, sessions and migrations. The schema is only ever created by Alembic (`herald db upgrade`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

UNREACHABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout for several threads."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        _serialize_sqlite_writers(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _serialize_sqlite_writers(engine: Engine) -> None:
    """Queue this process's transactions on a lock, then take SQLite's write lock at BEGIN.

    BEGIN IMMEDIATE makes concurrent writers wait instead of failing mid-transaction; the in-process
    lock makes threads wait on each other without SQLite's sleep-and-retry busy loop (which made a
    busy worker spend most of its time asleep). Other processes still meet the 30 s busy timeout.
    Sessions from `make_readers` skip both: a deferred BEGIN reads a WAL snapshot alongside writers.
    """
    lock = threading.RLock()

    def begin(conn: Any) -> None:
        if conn.get_execution_options().get("herald_readonly"):
            conn.exec_driver_sql("BEGIN")  # WAL readers see a snapshot and wait for no one
            return
        lock.acquire()
        conn.info["herald_lock"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            release(conn)
            raise

    def release(conn: Any) -> None:
        if conn.info.pop("herald_lock", False):
            lock.release()

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", release)
    event.listen(engine, "rollback", release)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def make_readers(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only: on SQLite they take no write lock, so a slow page render or a Slack
    receipt never holds up a command; writing through one is a bug (SQLite then answers "locked")."""
    return sessionmaker(engine.execution_options(herald_readonly=True), expire_on_commit=False)


def unreachable(error: BaseException) -> bool:
    """True when `error` means the database could not be reached (down, refusing, locked past the busy
    timeout): the work was not saved, and trying again later is the right advice."""
    return isinstance(error, UNREACHABLE)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> AlembicConfig:
    """Alembic settings pointing at Herald's bundled migrations (works from a wheel too)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None when it has none."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

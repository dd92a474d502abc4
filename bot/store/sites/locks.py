"""The lock that makes builders of the `database` site store take turns, across threads, processes and machines.

PostgreSQL: a session-level advisory lock, held on a connection of its own in autocommit mode, so no
transaction stays open while a build renders; a builder that dies drops its connection and so its lock.
SQLite (one machine): a thread lock, then `flock` on a file beside the database for other processes.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from bot.store.paths import sqlite_files

ADVISORY_KEY = 0x48657261_6C645369  # "HeraldSi": the site builders' advisory lock
_threads = threading.Lock()


@contextmanager
def site_lock(engine: Engine) -> Iterator[None]:
    """Hold the site builders' lock for the block."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        return
    files = sqlite_files(engine.url.render_as_string(hide_password=False))
    with _threads:
        if not files:  # an in-memory database lives in this process only
            yield
            return
        with _lock_file(files[0].with_name(files[0].name + "-site.lock")):
            yield


@contextmanager
def _lock_file(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

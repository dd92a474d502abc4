"""The `database` site store as a web process reads it: an in-memory copy of the files asked for.

A file is read from the database the first time it is asked for, then served from memory until it
changes. On PostgreSQL a thread LISTENs to `herald_site` (every publishing commit NOTIFYs it) and drops
what changed, so an unchanged file costs no query at all; on SQLite, or while that connection is
down, each request first asks for the table's newest version (one indexed lookup). A read that raced
a change is not kept (the generation counter), so the copy never outlives the row.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import psycopg
from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.wakeup import conninfo
from bot.lograte import Throttle
from bot.plugins.site_store import SiteFile
from bot.store.sites.database import CHANNEL, DatabaseStore

log = logging.getLogger(__name__)
CHECK_LINES = Throttle(burst=3, period=60.0)  # a database that is away must not flood the log per request
CACHE_BYTES = 64 * 1024 * 1024  # bytes of files kept per web process; the least recently used go first


class ServedSite:
    """Files of `store` as a web process serves them: cached, and dropped when they change."""

    def __init__(self, store: DatabaseStore, *, limit: int = CACHE_BYTES) -> None:
        self.store, self.limit = store, limit
        self.entries: OrderedDict[str, SiteFile | None] = OrderedDict()  # None: known to be missing
        self.size = 0
        self.lock = threading.Lock()
        self.generation = 0  # grows whenever entries are dropped; a read started before is not kept
        self.seen = store.version()
        self.listening = False  # True while LISTEN is up: no query is needed to know nothing changed
        self.stop = threading.Event()  # set to end the listener thread

    def get(self, path: str) -> SiteFile | None:
        """The file at `path`, or None; from memory unless it changed."""
        if not self.listening:
            self.check()
        with self.lock:
            if path in self.entries:
                self.entries.move_to_end(path)
                return self.entries[path]
            generation = self.generation
        found, _ = self.store.fetch(path)
        with self.lock:
            if generation == self.generation and path not in self.entries:
                self.entries[path] = found
                self.size += _cost(path, found)
                self._trim()
        return found

    def check(self) -> None:
        """Drop what changed since the last look, if the table moved on; with the database away, keep
        serving what is in memory (the last page published beats no page)."""
        try:
            if self.store.version() > self.seen:
                self.refresh()
        except SQLAlchemyError as exc:
            if CHECK_LINES.allow("site") is not None:
                log.warning("site version check failed (%s); serving the files in memory", type(exc).__name__)

    def refresh(self) -> None:
        """Drop every file written or deleted since the last look, and every "missing" answer."""
        changed, newest = self.store.changed_since(self.seen)
        with self.lock:
            self.generation += 1
            for path in [*changed, *(p for p, f in self.entries.items() if f is None)]:
                if path in self.entries:
                    self.size -= _cost(path, self.entries.pop(path))
            self.seen = max(self.seen, newest)

    def clear(self) -> None:
        """Forget everything (after a gap in the notifications)."""
        with self.lock:
            self.generation += 1
            self.entries.clear()
            self.size = 0
        self.seen = self.store.version()

    def _trim(self) -> None:
        while self.size > self.limit and self.entries:
            self.size -= _cost(*self.entries.popitem(last=False))

    def listen(self, *, slice_s: float = 0.5) -> None:
        """On PostgreSQL: refresh on every NOTIFY herald_site until `self.stop`; reconnects after errors."""
        stop = self.stop
        while not stop.is_set():
            try:
                with psycopg.connect(conninfo(self.store.engine.url.render_as_string(hide_password=False)),
                                     autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.clear()  # whatever changed while nobody listened
                    self.listening = True
                    while not stop.is_set():
                        if any(True for _ in conn.notifies(timeout=slice_s)):
                            self.refresh()
            except (psycopg.Error, SQLAlchemyError) as exc:
                log.warning("LISTEN %s lost (%s); checking the version per request until it is back", CHANNEL, exc)
            finally:
                self.listening = False
            stop.wait(1.0)

    def start(self) -> threading.Thread | None:
        """On PostgreSQL, a daemon thread running `listen` until `self.stop` is set; None on SQLite (each
        request checks the version)."""
        if self.store.engine.dialect.name != "postgresql":
            return None
        thread = threading.Thread(target=self.listen, name="herald-site-listen", daemon=True)
        thread.start()
        return thread


def _cost(path: str, found: SiteFile | None) -> int:
    """Bytes an entry holds, roughly: a flood of requests for missing paths must count too."""
    return len(path) + 64 + (len(found.data) if found else 0)

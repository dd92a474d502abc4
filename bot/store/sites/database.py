"""The `database` site store: the status site as rows of `site_files` (the default with PostgreSQL).

Every web process reads the same rows, so each serves the same page, a new one serves it at once, and no
local disk matters. A build runs inside `publishing()`: it takes the site's lock (a PostgreSQL advisory
lock held on a connection of its own, outside any transaction; on SQLite a lock file beside the
database), reads the current ETags once, keeps its changed files in memory while it renders, and
commits them in one short transaction at the end — so no transaction is open while pages render, and
readers see the whole set appear at once. A very large build commits in slices of FLUSH_BYTES, in the
order it wrote them (linked pages before the pages that link them). Each commit sends
`NOTIFY herald_site` with the newest version, which the web processes' caches listen for.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update

from bot.domain.models import utcnow
from bot.plugins.site_store import Entry, SiteFile, cache_control, content_type
from bot.store import db
from bot.store.site_files import SiteFileRow
from bot.store.sites.locks import site_lock

CHANNEL = "herald_site"  # PostgreSQL NOTIFY channel: the payload is the newest version
FLUSH_BYTES = 16 * 1024 * 1024  # a build commits its changes in slices of about this size


@dataclass
class Batch:
    """One thread's publishing session: what the store holds (path → etag), and the changes not yet committed."""

    known: dict[str, str]
    stored: set[str]  # paths that have a row, tombstones included
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    size: int = 0
    depth: int = 1


class DatabaseStore:
    """The site as rows of `site_files` in the database at `engine`."""

    kind = "database"
    fork_safe = False  # a forked renderer would share this process's connections and its pending batch

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions, self.readers = db.make_sessionmaker(engine), db.make_readers(engine)
        self.local = threading.local()
        self.published = 0  # commits made (tests and the bench read it)

    @property
    def batch(self) -> Batch | None:
        """This thread's publishing session, if one is open."""
        return getattr(self.local, "batch", None)

    @contextmanager
    def publishing(self) -> Iterator[None]:
        """Hold the site's lock, gather this build's writes, commit them together at the end."""
        if self.batch is not None:  # a build inside a build (refresh → build) joins the outer one
            self.batch.depth += 1
            try:
                yield
            finally:
                self.batch.depth -= 1
            return
        with site_lock(self.engine):
            self.local.batch = self._open()
            try:
                yield
                self._flush()
            finally:
                self.local.batch = None

    def _open(self) -> Batch:
        with self.readers() as session:
            rows = session.execute(select(SiteFileRow.path, SiteFileRow.etag, SiteFileRow.data.is_(None)))
            known, stored = {}, set()
            for path, etag, gone in rows:
                stored.add(path)
                if not gone:
                    known[path] = etag
        return Batch(known, stored)

    def put(self, path: str, data: bytes, *, content_type: str, cache_control: str) -> bool:
        """Stage `data` at `path` unless the store already holds exactly that; True when it changes."""
        batch = self.batch
        if batch is None:
            with self.publishing():
                return self.put(path, data, content_type=content_type, cache_control=cache_control)
        etag = hashlib.sha256(data).hexdigest()
        if batch.known.get(path) == etag:
            return False
        self._stage(batch, path, {"data": data, "content_type": content_type, "cache_control": cache_control,
                                  "etag": etag})
        batch.known[path] = etag
        return True

    def delete(self, path: str) -> bool:
        """Stage the removal of `path` (a tombstone row); True when there was such a file."""
        batch = self.batch
        if batch is None:
            with self.publishing():
                return self.delete(path)
        if path not in batch.known:
            return False
        self._stage(batch, path, {"data": None, "content_type": content_type(path),
                                  "cache_control": cache_control(path), "etag": ""})
        del batch.known[path]
        return True

    def _stage(self, batch: Batch, path: str, row: dict[str, Any]) -> None:
        batch.pending.pop(path, None)  # a second write of the same path goes out in its new place
        batch.pending[path] = {"path": path, **row}
        batch.size += len(row["data"] or b"")
        if batch.size >= FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Commit the staged changes, numbered in the order they were written, and tell the readers."""
        batch = self.batch
        if batch is None or not batch.pending:
            return
        now = utcnow()
        with db.transaction(self.sessions) as session:
            base = session.scalar(select(func.coalesce(func.max(SiteFileRow.version), 0))) or 0
            rows = [{**row, "version": base + n, "updated_at": now} for n, row in enumerate(batch.pending.values(), 1)]
            new = [r for r in rows if r["path"] not in batch.stored]
            if new:
                session.execute(insert(SiteFileRow), new)
            old = [r for r in rows if r["path"] in batch.stored]
            if old:
                session.execute(update(SiteFileRow), old)
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SELECT pg_notify(:channel, :version)"),
                                {"channel": CHANNEL, "version": str(rows[-1]["version"])})
        batch.stored.update(batch.pending)
        batch.pending, batch.size = {}, 0
        self.published += 1

    def exists(self, path: str) -> bool:
        """True when the store has `path` (this thread's staged writes included)."""
        if self.batch is not None:
            return path in self.batch.known
        with self.readers() as session:
            return session.scalar(select(SiteFileRow.path).where(SiteFileRow.path == path,
                                                                 SiteFileRow.data.is_not(None))) is not None

    def read(self, path: str) -> SiteFile | None:
        """The file at `path` (this thread's staged version first), or None."""
        staged = self.batch.pending.get(path) if self.batch is not None else None
        if staged is not None:
            return None if staged["data"] is None else SiteFile(
                path, staged["data"], staged["content_type"], staged["cache_control"], staged["etag"], utcnow())
        return self.fetch(path)[0]

    def fetch(self, path: str) -> tuple[SiteFile | None, int]:
        """The committed file at `path` (or None) and the table's version when it was read."""
        with self.readers() as session:
            version = self._version(session)
            row = session.get(SiteFileRow, path)
            if row is None or row.data is None:
                return None, version
            return SiteFile(path, row.data, row.content_type, row.cache_control, row.etag, row.updated_at), version

    def list(self, prefix: str = "") -> dict[str, Entry]:
        """Every file under `prefix` (staged writes included), tagged by ETag, ordered by version."""
        with self.readers() as session:
            rows = session.execute(select(SiteFileRow.path, SiteFileRow.etag, SiteFileRow.version)
                                   .where(SiteFileRow.data.is_not(None), SiteFileRow.path.startswith(prefix)))
            found = {path: Entry(etag, version) for path, etag, version in rows}
        batch = self.batch
        if batch is not None:
            top = max((e.order for e in found.values()), default=0)
            for n, (path, row) in enumerate(batch.pending.items(), 1):
                if path.startswith(prefix):
                    found.pop(path, None)
                    if row["data"] is not None:
                        found[path] = Entry(row["etag"], top + n)
        return found

    def version(self) -> int:
        """The newest version in the table (0 when empty): it grows with every committed change."""
        with self.readers() as session:
            return self._version(session)

    def changed_since(self, version: int) -> tuple[Sequence[str], int]:
        """The paths written or deleted after `version`, and the newest version."""
        with self.readers() as session:
            rows = session.execute(select(SiteFileRow.path, SiteFileRow.version).where(SiteFileRow.version > version))
            found = list(rows)
        return [path for path, _ in found], max((v for _, v in found), default=version)

    @staticmethod
    def _version(session: Any) -> int:
        return int(session.scalar(select(func.coalesce(func.max(SiteFileRow.version), 0))) or 0)

"""Copying the site store to one mirror target: what changed, in an order that keeps readers safe.

The mirror remembers, per process, the store's tag of every file it copied, so a sync copies only what
changed since. The first sync of a process (and `herald site sync`) compares with what the target really
holds instead (its listing: path → MD5, which S3's ETag is for a single-part upload), so a new bucket, an
outage or a restart is caught up without copying what is already there. Order: content-hashed assets
first (nothing links from them), then every other file in the order the builder wrote it (a page
before the pages that link to it, the front page last), deletions at the very end. A failure stops the
sync where it is; what was copied is remembered, so the retry goes on from there.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Protocol

from bot.plugins.contract import Entry, SiteFile, SiteStore, SyncResult, is_immutable

SITE_SUFFIXES = (".html", ".json", ".atom", ".rss", ".css", ".js")  # what a sync may delete from a target


class Target(Protocol):
    """Where a mirror copies to (an S3 bucket, a folder); each call raises PublishError on failure."""

    def listing(self) -> dict[str, str]:
        """Every file the target holds under its prefix: site path → MD5 hex of its bytes."""

    def put(self, found: SiteFile) -> None:
        """Store one file with its content type and cache policy."""

    def delete(self, path: str) -> None:
        """Remove one file."""


def safe_order(entries: dict[str, Entry], paths: list[str]) -> list[str]:
    """`paths` with content-hashed assets first, then in the order they were written."""
    return sorted(paths, key=lambda p: (not is_immutable(p), entries[p].order, p))


class Mirror:
    """One target kept equal to the site store."""

    def __init__(self, store: SiteStore, target: Target) -> None:
        self.store, self.target = store, target
        self.copied: dict[str, str] | None = None  # path → store tag copied, once this process has looked
        self.lock = threading.Lock()  # one sync of this target at a time in this process

    def sync(self, *, full: bool = False) -> SyncResult:
        """Copy what changed (or, when `full`, every file) and delete what the store no longer has."""
        with self.lock:
            entries = self.store.list()
            if full or self.copied is None:
                return self._compare(entries, full=full)
            copied = self.copied
            changed = [p for p, e in entries.items() if copied.get(p) != e.tag]
            gone = [p for p in copied if p not in entries]
            uploaded = self._copy(entries, safe_order(entries, changed), copied)
            self._delete(gone, copied)
            return SyncResult(uploaded, len(gone), len(entries) - uploaded)

    def _compare(self, entries: dict[str, Entry], *, full: bool) -> SyncResult:
        """Look at what the target holds, copy what differs (everything, when `full`), delete the rest."""
        there = self.target.listing()
        copied = self.copied = {}
        uploaded = unchanged = 0
        for path in safe_order(entries, list(entries)):
            found = self.store.read(path)
            if found is None:
                continue
            if not full and there.get(path) == hashlib.md5(found.data, usedforsecurity=False).hexdigest():
                unchanged += 1
            else:
                self.target.put(found)
                uploaded += 1
            copied[path] = entries[path].tag
        gone = [p for p in there if p not in entries and p.endswith(SITE_SUFFIXES)]
        self._delete(gone, copied)
        return SyncResult(uploaded, len(gone), unchanged)

    def _copy(self, entries: dict[str, Entry], paths: list[str], copied: dict[str, str]) -> int:
        count = 0
        for path in paths:
            found = self.store.read(path)
            if found is None:  # deleted since the listing: the next sync deletes it from the target
                continue
            self.target.put(found)
            copied[path] = entries[path].tag
            count += 1
        return count

    def _delete(self, paths: list[str], copied: dict[str, str]) -> None:
        for path in sorted(paths):
            self.target.delete(path)
            copied.pop(path, None)

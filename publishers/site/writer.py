"""Atomic, change-only file writes into the site folder, and the lock that serialises builders.

Each text file gets its pre-compressed siblings (publishers.site.compress) right after it, so a sibling
is never older than the file it compresses; one that is (the file was replaced by hand, or a crash came
between the two writes) is stale, is ignored by `herald serve`, and is rewritten by the next write.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publishers.site import compress

LOCK_NAME = ".herald-site.lock"  # a dotfile: servers of the site must not publish dotfiles


class SiteWriter:
    """Writes files under `root` so a reader sees the old file or the new one, never a partial one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.written: list[str] = []  # paths rewritten, in order (tests and the bench read this)

    def path(self, relpath: str) -> Path:
        """The absolute path of a site-relative file."""
        return self.root / relpath

    def exists(self, relpath: str) -> bool:
        """True when the site already has `relpath`."""
        return self.path(relpath).is_file()

    def write(self, relpath: str, content: str | bytes) -> bool:
        """Replace `relpath` with `content` unless it already holds exactly that; True when written.

        Either way its compressed siblings are brought up to date (written if missing or stale)."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.path(relpath)
        try:
            changed = target.read_bytes() != data
        except FileNotFoundError:
            changed = True
        if changed:
            _replace(target, data)
            self.written.append(relpath)
        self._siblings(relpath, target, data, changed)
        return changed

    def _siblings(self, relpath: str, target: Path, data: bytes, changed: bool) -> None:
        """Write the compressed siblings of `target` that are missing or stale; drop ones no longer wanted."""
        wanted = compress.siblings(relpath, data) if changed or not self._siblings_fresh(target) else None
        if wanted is None:
            return
        for suffix in compress.SUFFIXES:
            sibling = target.with_name(target.name + suffix)
            if suffix in wanted:
                _replace(sibling, wanted[suffix])
            else:
                sibling.unlink(missing_ok=True)

    @staticmethod
    def _siblings_fresh(target: Path) -> bool:
        """True when every sibling the file has is at least as new as it (or it needs none)."""
        stat = target.stat()
        if stat.st_size < compress.MIN_SIZE or not compress.compressible(target.name):
            return True
        mtime = stat.st_mtime_ns
        for suffix in compress.SUFFIXES:
            try:
                if target.with_name(target.name + suffix).stat().st_mtime_ns < mtime:
                    return False
            except FileNotFoundError:
                return False
        return True

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the site's lock (across threads and processes) so builds never interleave."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_NAME, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(target: Path, data: bytes) -> None:
    """Atomically replace `target` with `data` through a dotfile beside it (servers never publish dotfiles)."""
    # Unique to this process and thread; same folder, so os.replace is atomic: readers see old or new.
    temp = target.parent / f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise

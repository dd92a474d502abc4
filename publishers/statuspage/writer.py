"""Atomic, change-only file writes into the site folder, and the lock that serialises builders."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
        """Replace `relpath` with `content` unless it already holds exactly that; True when written."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.path(relpath)
        try:
            if target.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        # A dotfile beside the target, unique to this process and thread; same folder, so replace is atomic.
        temp = target.parent / f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)  # atomic on POSIX: readers see the old file or the new one
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self.written.append(relpath)
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

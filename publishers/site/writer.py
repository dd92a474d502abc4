"""Atomic, change-only file writes into the site folder, and the lock that serialises builders."""

from __future__ import annotations

import fcntl
import os
import tempfile
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
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temp, 0o644)  # mkstemp makes 0600; a web server must be able to read the page
            os.replace(temp, target)  # atomic on POSIX: readers see the old or the new file
        except BaseException:
            Path(temp).unlink(missing_ok=True)
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

"""The `dir` site store: the status site as files in HERALD_SITE_DIR (the default with SQLite).

Each write replaces its file atomically (a reader sees the old file or the new one, never part of one)
and only when the bytes differ, so an unchanged file keeps its mtime and its ETag. Builders of every
thread and process take turns through a lock file; it and the temporary files are dotfiles, which no
server of the site publishes. A folder cannot keep headers beside its files, so they follow from the
name (bot.plugins.site_store), exactly as the builder sets them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.plugins.site_store import Entry, SiteFile, cache_control, content_type

LOCK_NAME = ".herald-site.lock"  # a dotfile: servers of the site must not publish dotfiles


class DirStore:
    """The site as files under `root`."""

    kind = "dir"
    fork_safe = True  # a forked renderer writes its own files; the folder is the only shared state

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, relpath: str) -> Path:
        """The absolute path of a site-relative file."""
        return self.root / relpath

    def exists(self, path: str) -> bool:
        """True when the site already has `path`."""
        return self.path(path).is_file()

    def read(self, path: str) -> SiteFile | None:
        """The file at `path`, its headers following from its name; None when there is none."""
        target = self.path(path)
        try:
            data = target.read_bytes()
            info = target.stat()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        return SiteFile(path, data, content_type(path), cache_control(path), hashlib.sha256(data).hexdigest(),
                        datetime.fromtimestamp(info.st_mtime, UTC))

    def put(self, path: str, data: bytes, *, content_type: str = "", cache_control: str = "") -> bool:
        """Replace `path` with `data` unless it already holds exactly that; True when written."""
        target = self.path(path)
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
        return True

    def delete(self, path: str) -> bool:
        """Remove the file at `path`; True when there was one."""
        try:
            self.path(path).unlink()
        except FileNotFoundError:
            return False
        return True

    def list(self, prefix: str = "") -> dict[str, Entry]:
        """Every public file under `prefix` (no dotfile or dot-folder), tagged by mtime and size."""
        found: dict[str, Entry] = {}
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            base = Path(folder).relative_to(self.root).as_posix()
            for name in files:
                path = name if base == "." else f"{base}/{name}"
                if name.startswith(".") or not path.startswith(prefix):
                    continue
                try:
                    info = os.lstat(os.path.join(folder, name))
                except FileNotFoundError:  # replaced or removed meanwhile
                    continue
                found[path] = Entry(f"{info.st_mtime_ns:x}-{info.st_size:x}", info.st_mtime_ns)
        return found

    @contextmanager
    def publishing(self) -> Iterator[None]:
        """Hold the site's lock (across threads and processes) so builds never interleave."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_NAME, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

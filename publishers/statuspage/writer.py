"""The builder's pen: writes each file into the site store with its headers, and remembers what changed.

The store (bot.plugins.site_store, built by the core from HERALD_SITE_STORE) does the writing: a folder,
atomically, or rows of the database, published together. Each file's content type and cache policy
follow from its name (publishers.statuspage.files), so every server and mirror sends the same headers.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from bot.plugins.contract import SiteStore
from publishers.statuspage.files import cache_control, content_type


class SiteWriter:
    """Writes the site's files into `store`, only those whose bytes changed."""

    def __init__(self, store: SiteStore) -> None:
        self.store = store
        self.written: list[str] = []  # paths rewritten, in order (tests and the bench read this)

    def exists(self, relpath: str) -> bool:
        """True when the site already has `relpath`."""
        return self.store.exists(relpath)

    def read_text(self, relpath: str) -> str | None:
        """The text of `relpath`, or None when the site has no such file."""
        found = self.store.read(relpath)
        return None if found is None else found.data.decode("utf-8")

    def write(self, relpath: str, content: str | bytes) -> bool:
        """Replace `relpath` with `content` unless it already holds exactly that; True when written."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not self.store.put(relpath, data, content_type=content_type(relpath), cache_control=cache_control(relpath)):
            return False
        self.written.append(relpath)
        return True

    def folders(self, prefix: str) -> list[str]:
        """The names of the folders right under `prefix` (`history/`) that have an index.html."""
        tail = "/index.html"
        return [path[len(prefix):-len(tail)] for path in self.store.list(prefix)
                if path.endswith(tail) and "/" not in path[len(prefix):-len(tail)]]

    def locked(self) -> AbstractContextManager[None]:
        """Hold the site for one build: builds take turns, and the store publishes the build's files together."""
        return self.store.publishing()

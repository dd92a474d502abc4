"""Where the status site lives: one small interface every site writer and reader uses (re-exported by the contract).

The builder writes through a SiteStore — put a file with its content type and cache policy, delete, read,
list, and publish a set of changes at once — and `herald serve` and the mirrors read from it. The core
builds the store HERALD_SITE_STORE names (bot.store.sites): `dir`, files in HERALD_SITE_DIR, or `database`,
rows of a table every web process reads. What a site file is — its content type and cache policy, by
name — is decided here, once, so every store, server and mirror sends the same headers.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Protocol, runtime_checkable

CONTENT_TYPES = {  # the only suffixes a server of the site sends; add one here to publish a new kind
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",  # /badge.svg
}
PAGE_MAX_AGE = 60  # pages, feeds and JSON: a status page must not be stale for long
ASSET_MAX_AGE = 31_536_000  # a year: an asset's name carries a hash of its content, so it never changes
HASHED_ASSET = re.compile(r"assets/[^/]+\.[0-9a-f]{12}\.[a-z0-9]+")  # assets/site.<hash>.css
MIRROR_SCHEMES = ("s3", "file")


def content_type(path: str) -> str:
    """The Content-Type of a site file (folders serve their index.html)."""
    suffix = PurePosixPath(path).suffix if not path.endswith("/") and path else ".html"
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def is_immutable(path: str) -> bool:
    """True for a content-hashed asset: its name changes whenever its bytes do."""
    return HASHED_ASSET.fullmatch(path.lstrip("/")) is not None


def cache_control(path: str) -> str:
    """The Cache-Control header for a site file: a year and immutable for content-hashed assets."""
    if is_immutable(path):
        return f"public, max-age={ASSET_MAX_AGE}, immutable"
    return f"public, max-age={PAGE_MAX_AGE}"


@dataclass(frozen=True)
class SiteFile:
    """One file of the site as a store holds it."""

    path: str
    data: bytes
    content_type: str
    cache_control: str
    etag: str  # a strong validator of these bytes (the same in every process that reads the store)
    updated_at: datetime


@dataclass(frozen=True)
class Entry:
    """A file in a store's listing: `tag` changes whenever its bytes do; `order` grows with each write, so
    sorting by it replays the writes in the order the builder made them (linked pages first)."""

    tag: str
    order: int


class SiteStore(Protocol):
    """The site's files. Writes made inside `publishing()` become visible together where the store can
    (the database store: one commit), and publishing sessions of every thread and process take turns."""

    kind: str  # "dir" or "database": how `herald serve` reads it
    fork_safe: bool  # forked renderers may write through this store (a full build on several processes)

    def put(self, path: str, data: bytes, *, content_type: str, cache_control: str) -> bool:
        """Store `data` at `path` unless it already holds exactly that; True when it changed."""

    def delete(self, path: str) -> bool:
        """Remove `path`; True when there was such a file."""

    def read(self, path: str) -> SiteFile | None:
        """The file at `path` with its headers, or None."""

    def exists(self, path: str) -> bool:
        """True when the store has a file at `path`."""

    def list(self, prefix: str = "") -> dict[str, Entry]:
        """Every file whose path starts with `prefix`, with its tag and write order."""

    def publishing(self) -> AbstractContextManager[None]:
        """Hold the site for one build: its writes are published together when the block ends."""


@dataclass(frozen=True)
class SyncResult:
    """What one mirror sync did."""

    uploaded: int
    deleted: int
    unchanged: int


@runtime_checkable
class SiteMirror(Protocol):
    """A publisher that copies the site to somewhere else (`herald site sync` finds them by this shape)."""

    label: str

    def sync(self, *, full: bool = False) -> SyncResult:
        """Copy what changed (everything, when `full`) from the site store to the mirror's target."""


@dataclass(frozen=True)
class MirrorTarget:
    """One HERALD_SITE_MIRRORS entry: `s3://bucket/prefix` or `file:///absolute/path`."""

    url: str
    scheme: str
    place: str  # the bucket, or the folder
    prefix: str = ""  # inside the bucket, without slashes at either end

    @classmethod
    def parse(cls, url: str) -> MirrorTarget:
        """Read one entry; ValueError saying what a target looks like when it is not one."""
        scheme, sep, rest = url.partition("://")
        if not sep or scheme not in MIRROR_SCHEMES:
            raise ValueError(f"{url!r} is not a mirror: use s3://bucket/prefix or file:///absolute/path")
        if scheme == "file":
            if not rest.startswith("/") or rest.rstrip("/") == "":
                raise ValueError(f"{url!r}: a file mirror needs an absolute folder, as in file:///srv/status")
            return cls(url, scheme, rest.rstrip("/") or "/")
        bucket, _, prefix = rest.partition("/")
        if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", bucket):
            raise ValueError(f"{url!r}: {bucket!r} is not a bucket name (3-63 lower-case letters, digits, . and -)")
        return cls(url, scheme, bucket, prefix.strip("/"))

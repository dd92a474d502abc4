"""Serving the status site folder: which files are public, their types, cache and CORS headers, encodings.

For `herald serve` (or any server of HERALD_SITE_DIR). The builder leaves a lock file and, for a moment,
temporary files beside the pages: both are dotfiles and never served. Only files with a known site
suffix are served, so nothing else that ends up in the folder (a database, a backup) is ever opened.
Every one of them is text, and may be sent compressed (negotiated on `Accept-Encoding`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

CONTENT_TYPES = {  # the only suffixes a server of the site sends; add one here to publish a new kind
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
PAGE_MAX_AGE = 60  # pages, feeds and JSON: a status page must not be stale for long
ASSET_MAX_AGE = 31_536_000  # a year: an asset's name carries a hash of its content, so it never changes
HASHED_ASSET = re.compile(r"assets/[^/]+\.[0-9a-f]{12}\.[a-z0-9]+")  # assets/site.<hash>.css
CROSS_ORIGIN = ("api/v2/", "history.atom", "history.rss")  # readable by widgets on other origins
NOT_FOUND_PAGE = "404.html"


def is_public(path: str) -> bool:
    """True for a site path a server may send: no dotfile or dot-folder anywhere, no `..`."""
    parts = PurePosixPath(path.lstrip("/")).parts
    return not any(part.startswith(".") for part in parts)


def is_servable(path: str) -> bool:
    """True for a public file path (not a folder) with a known site suffix."""
    return is_public(path) and PurePosixPath(path).suffix in CONTENT_TYPES


def content_type(path: str) -> str:
    """The Content-Type of a site file (folders serve their index.html)."""
    suffix = PurePosixPath(path).suffix if not path.endswith("/") and path else ".html"
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def cache_control(path: str) -> str:
    """The Cache-Control header for a site file: a year and immutable for content-hashed assets."""
    if HASHED_ASSET.fullmatch(path.lstrip("/")):
        return f"public, max-age={ASSET_MAX_AGE}, immutable"
    return f"public, max-age={PAGE_MAX_AGE}"


def is_cross_origin(path: str) -> bool:
    """True for the files other origins may read (the JSON API and the feeds): `Access-Control-Allow-Origin: *`."""
    return path.lstrip("/").startswith(CROSS_ORIGIN)


def compressible(path: str) -> bool:
    """True for files worth sending compressed (every site file is text)."""
    return PurePosixPath(path).suffix in CONTENT_TYPES

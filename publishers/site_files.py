"""Serving the status site folder: which files are public, their content types and cache headers.

For `herald serve` (or any server of HERALD_SITE_DIR): the builder leaves a lock file and, for a
moment, temporary files beside the pages; both are dotfiles and must never be served.
"""

from __future__ import annotations

from pathlib import PurePosixPath

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
PAGE_MAX_AGE = 60  # pages, feeds and JSON: a status page must not be stale for long
ASSET_MAX_AGE = 86_400  # assets are linked with a ?v=<hash> of their content, so they can be kept longer


def is_public(path: str) -> bool:
    """True for a site path a server may send: no dotfile or dot-folder anywhere, no `..`."""
    parts = PurePosixPath(path.lstrip("/")).parts
    return not any(part.startswith(".") for part in parts)


def content_type(path: str) -> str:
    """The Content-Type of a site file (folders serve their index.html)."""
    suffix = PurePosixPath(path).suffix if not path.endswith("/") and path else ".html"
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def cache_control(path: str) -> str:
    """The Cache-Control header for a site file."""
    if path.lstrip("/").startswith("assets/"):
        return f"public, max-age={ASSET_MAX_AGE}"
    return f"public, max-age={PAGE_MAX_AGE}"

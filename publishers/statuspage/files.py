"""Serving the status site folder: which files are public, their types, cache and CORS headers, encodings.

For `herald serve` (or any server of HERALD_SITE_DIR). The builder leaves a lock file and, for a moment,
temporary files beside the pages: both are dotfiles and never served. Only files with a known site
suffix are served, so nothing else that ends up in the folder (a database, a backup) is ever opened.
Every one of them is text, and may be sent compressed (negotiated on `Accept-Encoding`).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from bot.plugins.contract import ASSET_MAX_AGE, CONTENT_TYPES, HASHED_ASSET, PAGE_MAX_AGE, cache_control, content_type

__all__ = ["ASSET_MAX_AGE", "CONTENT_TYPES", "HASHED_ASSET", "PAGE_MAX_AGE", "cache_control", "content_type"]

CROSS_ORIGIN = ("api/v2/", "history.atom", "history.rss")  # readable by widgets on other origins
NOT_FOUND_PAGE = "404.html"


def is_public(path: str) -> bool:
    """True for a site path a server may send: no dotfile or dot-folder anywhere, no `..`."""
    parts = PurePosixPath(path.lstrip("/")).parts
    return not any(part.startswith(".") for part in parts)


def is_servable(path: str) -> bool:
    """True for a public file path (not a folder) with a known site suffix."""
    return is_public(path) and PurePosixPath(path).suffix in CONTENT_TYPES


def is_cross_origin(path: str) -> bool:
    """True for the files other origins may read (the JSON API and the feeds): `Access-Control-Allow-Origin: *`."""
    return path.lstrip("/").startswith(CROSS_ORIGIN)


def compressible(path: str) -> bool:
    """True for files worth sending compressed (every site file is text)."""
    return PurePosixPath(path).suffix in CONTENT_TYPES

"""Serving helpers for the site folder: dotfiles stay private, types and cache headers fit each file."""

from __future__ import annotations

from publishers.site.writer import LOCK_NAME
from publishers.site_files import cache_control, content_type, is_public


def test_dotfiles_and_parent_paths_are_not_public() -> None:
    """The builder's lock and temporary files, and any `..`, are refused; pages are public."""
    assert not is_public(LOCK_NAME) and not is_public("incidents/3/.index.html.12.34.tmp")
    assert not is_public("../etc/passwd") and not is_public("/.git/config")
    assert is_public("/") and is_public("incidents/3/") and is_public("api/v2/summary.json")


def test_content_types_and_cache_headers() -> None:
    """Feeds, JSON and pages get their own types; versioned assets may be cached longer than pages."""
    assert content_type("history.atom") == "application/atom+xml; charset=utf-8"
    assert content_type("history.rss") == "application/rss+xml; charset=utf-8"
    assert content_type("api/v2/summary.json").startswith("application/json")
    assert content_type("incidents/3/") == content_type("") == "text/html; charset=utf-8"
    assert cache_control("assets/site.css") == "public, max-age=86400"
    assert cache_control("index.html") == "public, max-age=60"

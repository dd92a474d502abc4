"""Serving helpers for the site folder: dotfiles stay private, only site suffixes are served, and types,
cache and CORS headers fit each file."""

from __future__ import annotations

from bot.store.sites.dir import LOCK_NAME
from publishers.statuspage.files import cache_control, content_type, is_cross_origin, is_public, is_servable


def test_dotfiles_and_parent_paths_are_not_public() -> None:
    """The builder's lock and temporary files, and any `..`, are refused; pages are public."""
    assert not is_public(LOCK_NAME) and not is_public("incidents/3/.index.html.12.34.tmp")
    assert not is_public("../etc/passwd") and not is_public("/.git/config")
    assert is_public("/") and is_public("incidents/3/") and is_public("api/v2/summary.json")


def test_only_files_with_site_suffixes_are_servable() -> None:
    """A database, its journals, backups and compressed siblings are never served by name."""
    for path in ("herald.db", "herald.db-wal", "herald.db-shm", "notes.txt", "index.html.gz", "index.html.br",
                 "incidents/3/", "assets"):
        assert not is_servable(path), path
    for path in ("index.html", "history.rss", "history.atom", "api/v2/summary.json", "assets/site.0123456789ab.css"):
        assert is_servable(path), path


def test_content_types_and_cache_headers() -> None:
    """Feeds, JSON and pages get their own types; hashed assets are immutable for a year, pages a minute."""
    assert content_type("history.atom") == "application/atom+xml; charset=utf-8"
    assert content_type("history.rss") == "application/rss+xml; charset=utf-8"
    assert content_type("api/v2/summary.json").startswith("application/json")
    assert content_type("incidents/3/") == content_type("") == "text/html; charset=utf-8"
    assert cache_control("assets/site.0123456789ab.css") == "public, max-age=31536000, immutable"
    assert cache_control("assets/site.css") == cache_control("index.html") == "public, max-age=60"


def test_the_api_and_feeds_are_cross_origin() -> None:
    """Widgets on other origins may read the JSON API and the feeds."""
    assert is_cross_origin("api/v2/summary.json") and is_cross_origin("/api/v2/incidents/3.json")
    assert is_cross_origin("history.atom") and is_cross_origin("history.rss")
    assert not is_cross_origin("index.html") and not is_cross_origin("incidents/3/")

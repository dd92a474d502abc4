"""The status-site part of the web app: public files with validators, never the builder's own files."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from herald.web import create_web
from tests.support import make_env


def site_client(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The real Flask app of `herald serve` over a site folder with a page, a feed and builder leftovers."""
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>ok</title>")
    (site / "history.atom").write_text("<feed/>")
    (site / "assets" / "site.0123456789ab.css").write_text("body{}")
    (site / ".herald-site.lock").write_text("")
    (site / ".index.html.tmp").write_text("<half")
    return create_web(load_config(make_env(database_url, tmp_path))).test_client()


def test_pages_have_etag_cache_control_and_type(database_url: str, tmp_path: Path) -> None:
    """The front page is served with an ETag, a short cache and HTML type; a repeat with the ETag is a 304."""
    client = site_client(database_url, tmp_path)
    first = client.get("/")
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/html")
    assert "max-age=60" in first.headers["Cache-Control"] and first.headers.get("ETag")
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_feeds_and_assets_get_their_types_and_lifetimes(database_url: str, tmp_path: Path) -> None:
    """Atom is served as Atom; hashed assets may be cached for a year (more in tests/herald/test_site_http.py)."""
    client = site_client(database_url, tmp_path)
    assert client.get("/history.atom").headers["Content-Type"].startswith("application/atom+xml")
    assert "max-age=31536000" in client.get("/assets/site.0123456789ab.css").headers["Cache-Control"]


def test_builder_files_and_escapes_are_not_served(database_url: str, tmp_path: Path) -> None:
    """The site lock, half-written temporary files and paths outside the folder answer 404."""
    client = site_client(database_url, tmp_path)
    for path in ("/.herald-site.lock", "/.index.html.tmp", "/../herald.db", "/nothing-here.html"):
        assert client.get(path).status_code == 404, path

"""`herald serve` over the database site store: the folder's serving rules hold unchanged (the same tests run
here), ETags are the same in every web process, a change is served at once, an unchanged file costs no query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event

from bot.config import load_config
from bot.plugins.site_store import cache_control, content_type
from bot.store.sites import DatabaseStore
from bot.store.sites.served import ServedSite
from herald.web import create_web
from tests.herald.test_site_http import (  # the folder's rules, run again against the database store
    PAGE,
    site,
    test_api_and_feeds_are_readable_from_other_origins,
    test_compressed_encodings_are_negotiated,
    test_each_encoding_has_its_own_etag_and_304,
    test_folders_redirect_to_their_slash,
    test_hashed_assets_are_immutable_for_a_year,
    test_head_answers_like_get_without_a_body,
    test_pages_have_validators_and_a_short_cache_without_expires,
    test_preflight_is_answered,
    test_small_files_are_sent_as_they_are,
    test_unknown_paths_get_the_styled_404_page,
)
from tests.support import eventually, make_env

__all__ = ["site", "test_api_and_feeds_are_readable_from_other_origins", "test_compressed_encodings_are_negotiated",
           "test_each_encoding_has_its_own_etag_and_304", "test_folders_redirect_to_their_slash",
           "test_hashed_assets_are_immutable_for_a_year", "test_head_answers_like_get_without_a_body",
           "test_pages_have_validators_and_a_short_cache_without_expires", "test_preflight_is_answered",
           "test_small_files_are_sent_as_they_are", "test_unknown_paths_get_the_styled_404_page"]


def put(store: DatabaseStore, path: str, text: str) -> None:
    """Store `text` at `path` with the headers the builder gives that name."""
    store.put(path, text.encode(), content_type=content_type(path), cache_control=cache_control(path))


def web_on(url: str, tmp_path: Path) -> Flask:
    """The real Flask app of `herald serve` with HERALD_SITE_STORE=database."""
    return create_web(load_config(make_env(url, tmp_path, HERALD_SITE_STORE="database")))


@pytest.fixture
def client(database_url: str, tmp_path: Path, site: Path) -> Iterator[FlaskClient]:
    """`herald serve` over a database store holding every file of the `site` folder, dotfiles included."""
    store = DatabaseStore(create_engine(database_url))
    with store.publishing():
        for path in sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()):
            put(store, path, (site / path).read_text())
    store.engine.dispose()
    web = web_on(database_url, tmp_path / "elsewhere")
    yield web.test_client()
    close(web)


def close(web: Flask) -> None:
    """Stop the app's listener thread and close its connections."""
    web.extensions["herald_site"].stop.set()
    web.extensions["herald"].core.engine.dispose()


def _count_queries(engine: Engine) -> list[str]:
    found: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: found.append(str(args[2])))
    return found


def test_a_change_is_served_by_every_web_process_with_the_same_etag(client: FlaskClient, database_url: str,
                                                                     tmp_path: Path) -> None:
    """A page published by another process replaces the one in memory; two web processes answer it with
    identical bytes and ETags."""
    assert client.get("/").get_data(as_text=True) == PAGE
    store = DatabaseStore(create_engine(database_url))
    put(store, "index.html", "<p>new</p>" * 200)
    eventually(lambda: client.get("/").get_data(as_text=True) == "<p>new</p>" * 200, what="the new page")
    other = web_on(database_url, tmp_path / "another")
    for path in ("/", "/api/v2/summary.json", "/history.atom"):
        for accept in ("br", "gzip", "identity"):
            ours, theirs = (c.get(path, headers={"Accept-Encoding": accept}) for c in (client, other.test_client()))
            assert ours.get_data() == theirs.get_data() and ours.headers["ETag"] == theirs.headers["ETag"], path
    store.engine.dispose()
    close(other)


def test_an_unchanged_file_costs_no_query_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """With LISTEN up, repeated requests for an unchanged page run no SQL; a NOTIFY'd change is then served."""
    store = DatabaseStore(create_engine(pg_url))
    put(store, "index.html", PAGE)
    site = ServedSite(DatabaseStore(create_engine(pg_url)))
    site.start()
    try:
        eventually(lambda: site.listening, what="LISTEN herald_site")
        assert site.get("index.html") is not None
        queries = _count_queries(site.store.engine)
        for _ in range(50):
            found = site.get("index.html")
            assert found is not None and found.data == PAGE.encode()
        assert queries == []
        put(store, "index.html", "<p>changed</p>")
        eventually(lambda: (site.get("index.html") or PAGE).data == b"<p>changed</p>", what="the change")
    finally:
        site.stop.set()
        store.engine.dispose()
        site.store.engine.dispose()


def test_on_sqlite_each_request_checks_one_version(tmp_path: Path) -> None:
    """Without LISTEN (SQLite), a request for an unchanged page costs one indexed version lookup, no file read."""
    from bot.store import db  # a SQLite database of its own, whatever database the suite runs on

    url = f"sqlite:///{tmp_path / 'own.db'}"
    db.upgrade(url)
    store = DatabaseStore(create_engine(url))
    put(store, "index.html", PAGE)
    site = ServedSite(store)
    site.get("index.html")
    queries = _count_queries(store.engine)
    for _ in range(10):
        site.get("index.html")
    assert len(queries) == 10 and all("max(site_files.version)" in q for q in queries)
    store.engine.dispose()

"""The `database` site store: files as rows with their headers and a strong ETag, a build published at once,
builders taking turns, and the same site as the folder gives."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine

from bot.config import Config, load_config
from bot.store.sites import DatabaseStore, DirStore, make_store
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, sample
from tests.support import make_env

HTML = "text/html; charset=utf-8"
PAGE_CACHE = "public, max-age=60"


def test_files_keep_their_bytes_headers_and_a_content_etag(database_url: str) -> None:
    """A stored file reads back with its type, cache policy and the SHA-256 of its bytes; the same bytes
    again change nothing, new bytes do; a deleted file is gone from reads and listings."""
    store = DatabaseStore(create_engine(database_url))
    assert store.put("index.html", b"<p>one</p>", content_type=HTML, cache_control=PAGE_CACHE) is True
    found = store.read("index.html")
    assert found is not None and found.data == b"<p>one</p>" and found.content_type == HTML
    assert found.cache_control == PAGE_CACHE and found.etag == hashlib.sha256(b"<p>one</p>").hexdigest()
    assert store.put("index.html", b"<p>one</p>", content_type=HTML, cache_control=PAGE_CACHE) is False
    assert store.put("index.html", b"<p>two</p>", content_type=HTML, cache_control=PAGE_CACHE) is True
    assert store.exists("index.html") and not store.exists("other.html")
    assert store.delete("index.html") is True and store.delete("index.html") is False
    assert store.read("index.html") is None and store.list() == {}
    store.engine.dispose()


def test_a_build_is_published_at_once_in_the_order_it_was_written(database_url: str) -> None:
    """Inside `publishing()` another reader sees none of the new files; afterwards all of them, listed in
    the order they were written (a linked page before the page that links it)."""
    writer, reader = DatabaseStore(create_engine(database_url)), DatabaseStore(create_engine(database_url))
    with writer.publishing():
        writer.put("incidents/1/index.html", b"1", content_type=HTML, cache_control=PAGE_CACHE)
        writer.put("index.html", b"front", content_type=HTML, cache_control=PAGE_CACHE)
        assert writer.exists("index.html") and writer.list("incidents/").keys() == {"incidents/1/index.html"}
        assert reader.read("incidents/1/index.html") is None and reader.list() == {}
    listed = reader.list()
    assert sorted(listed, key=lambda path: listed[path].order) == ["incidents/1/index.html", "index.html"]
    changed, newest = reader.changed_since(0)
    assert set(changed) == set(listed) and newest == reader.version() == 2
    writer.engine.dispose()
    reader.engine.dispose()


def test_builders_take_turns(database_url: str) -> None:
    """A second publishing session, on another connection, waits until the first has committed."""
    first, second = DatabaseStore(create_engine(database_url)), DatabaseStore(create_engine(database_url))
    order: list[str] = []

    def later() -> None:
        with second.publishing():
            order.append("second saw " + (second.read("a.html") or b"").__class__.__name__)

    with first.publishing():
        first.put("a.html", b"a", content_type=HTML, cache_control=PAGE_CACHE)
        thread = threading.Thread(target=later)
        thread.start()
        time.sleep(0.3)
        order.append("first")
    thread.join(timeout=20)
    assert order == ["first", "second saw SiteFile"]
    first.engine.dispose()
    second.engine.dispose()


def _build(config: Config, *, history: bool) -> dict[str, bytes]:
    """Build the site with `config`'s store (adding the sample history first when asked); every file by path."""
    core = create_core(config)
    if history:
        sample(core)
    publisher = core.registry.get("statuspage")
    assert isinstance(publisher, StatuspagePublisher)
    publisher.build(NOW)
    store = core.context.site
    assert store is not None
    files = {path: store.read(path) for path in store.list()}
    core.engine.dispose()
    return {path: found.data for path, found in files.items() if found is not None}


def test_the_builder_writes_the_same_site_into_either_store(database_url: str, tmp_path: Path) -> None:
    """A full build into the database store holds exactly the files, byte for byte, that the folder gets."""
    env = make_env(database_url, tmp_path)
    in_rows = _build(load_config({**env, "HERALD_SITE_STORE": "database"}), history=True)
    assert "index.html" in in_rows and any(p.startswith("incidents/") for p in in_rows)
    assert not (tmp_path / "site").exists()  # nothing on disk
    assert _build(load_config(env), history=False) == in_rows


def test_the_default_store_follows_the_database(tmp_path: Path) -> None:
    """Without HERALD_SITE_STORE, PostgreSQL gets the database store and SQLite the folder."""
    engine = create_engine("sqlite://")
    pg, lite = (load_config({k: v for k, v in make_env(url, tmp_path).items() if k != "HERALD_SITE_STORE"})
                for url in ("postgresql://u@127.0.0.1/x", "sqlite:///x.db"))
    assert isinstance(make_store(pg, engine), DatabaseStore) and isinstance(make_store(lite, engine), DirStore)

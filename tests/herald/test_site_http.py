"""`herald serve`'s status page files: only site files, never through a symlink, never the database;
compressed as negotiated with an ETag per encoding, year-long immutable assets, CORS for the API, a 404 page."""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest
from flask.testing import FlaskClient

from bot.config import load_config
from bot.errors import ConfigError
from bot.store import db
from herald.web import create_web
from tests.support import make_env

PAGE = "<!doctype html><title>ok</title>" + "<p>All systems operational.</p>" * 80  # big enough to compress
CSS = "assets/site.0123456789ab.css"
_opened: list[str] | None = None  # paths opened while a test watches (see the audit hook below)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database in tmp_path, whichever database the suite runs on: serving the database
    file is a SQLite hazard."""
    url = f"sqlite:///{tmp_path / 'herald.db'}"
    db.upgrade(url)
    return url


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built-looking site folder: pages, a hashed asset, feeds, the API, a 404 page, builder leftovers."""
    root = tmp_path / "site"
    for path, text in {"index.html": PAGE, "incidents/3/index.html": PAGE, CSS: "body{}", "history.atom": "<feed/>",
                       "history.rss": "<rss/>", "api/v2/summary.json": '{"page":{}}',
                       "404.html": "<!doctype html><title>Page not found</title>" + " " * 2000,
                       ".herald-site.lock": "", ".index.html.1.2.tmp": "<half", "notes.txt": "private"}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def make_client(database_url: str, tmp_path: Path) -> Iterator[FlaskClient]:
    """The real Flask app of `herald serve` over tmp_path/site."""
    web = create_web(load_config(make_env(database_url, tmp_path)))
    yield web.test_client()
    web.extensions["herald"].core.engine.dispose()


@pytest.fixture
def client(database_url: str, tmp_path: Path, site: Path) -> Iterator[FlaskClient]:
    """The real Flask app of `herald serve` over the site folder, on the suite's database."""
    yield from make_client(database_url, tmp_path)


@pytest.fixture
def sqlite_client(sqlite_url: str, tmp_path: Path, site: Path) -> Iterator[FlaskClient]:
    """The same app on a SQLite database in tmp_path (beside, not inside, the site folder)."""
    yield from make_client(sqlite_url, tmp_path)


def test_pages_have_validators_and_a_short_cache_without_expires(client: FlaskClient) -> None:
    """The front page has an ETag, a one-minute Cache-Control, no contradicting Expires; a repeat is a 304."""
    first = client.get("/")
    assert first.status_code == 200 and first.headers["Content-Type"] == "text/html; charset=utf-8"
    assert first.headers["Cache-Control"] == "public, max-age=60" and "Expires" not in first.headers
    assert first.get_data(as_text=True) == PAGE and first.headers["Content-Length"] == str(len(PAGE))
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_hashed_assets_are_immutable_for_a_year(client: FlaskClient) -> None:
    """An asset whose name carries its content hash may be kept a year and never revalidated."""
    response = client.get("/" + CSS)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Expires" not in response.headers and response.headers["Content-Type"].startswith("text/css")


@pytest.mark.parametrize(("accept", "encoding"), [("br, gzip", "br"), ("gzip, deflate", "gzip"),
                                                  ("gzip;q=1, br;q=0.5", "gzip"), ("", None), ("br;q=0", None)])
def test_compressed_encodings_are_negotiated(client: FlaskClient, accept: str, encoding: str | None) -> None:
    """The best encoding the client accepts is sent, with Vary; the body decodes to the page."""
    response = client.get("/", headers={"Accept-Encoding": accept} if accept else {})
    assert response.headers.get("Content-Encoding") == encoding and response.headers["Vary"] == "Accept-Encoding"
    body = response.get_data()
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[encoding](body)
    assert decoded.decode() == PAGE and response.headers["Content-Length"] == str(len(body))


def test_each_encoding_has_its_own_etag_and_304(client: FlaskClient) -> None:
    """ETags differ per encoding; each revalidates only against its own encoding."""
    tags = {enc: client.get("/", headers={"Accept-Encoding": enc}).headers["ETag"]
            for enc in ("br", "gzip", "identity")}
    assert len(set(tags.values())) == 3
    for enc, tag in tags.items():
        assert client.get("/", headers={"Accept-Encoding": enc, "If-None-Match": tag}).status_code == 304
    assert client.get("/", headers={"Accept-Encoding": "gzip", "If-None-Match": tags["br"]}).status_code == 200


def test_a_new_version_is_never_answered_from_an_old_compression(client: FlaskClient, site: Path) -> None:
    """When the builder replaces a page, the next compressed answer is the new page with a new ETag."""
    before = client.get("/", headers={"Accept-Encoding": "br"})
    fresh = site / ".index.html.new"
    fresh.write_text("<p>new</p>" * 200)
    os.replace(fresh, site / "index.html")  # as the builder writes
    after = client.get("/", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(after.get_data()).decode() == "<p>new</p>" * 200
    assert after.headers["ETag"] != before.headers["ETag"]


def test_small_files_are_sent_as_they_are(client: FlaskClient) -> None:
    """A file too small to gain from compression is sent uncompressed (still with Vary)."""
    response = client.get("/api/v2/summary.json", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in response.headers and response.get_data() == b'{"page":{}}'
    assert response.headers["Vary"] == "Accept-Encoding"


def test_head_answers_like_get_without_a_body(client: FlaskClient) -> None:
    """HEAD gives GET's headers (length, ETag, encoding) and no body."""
    head = client.head("/", headers={"Accept-Encoding": "gzip"})
    get = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200 and head.get_data() == b""
    for name in ("Content-Length", "ETag", "Content-Encoding", "Content-Type"):
        assert head.headers[name] == get.headers[name], name


def test_api_and_feeds_are_readable_from_other_origins(client: FlaskClient) -> None:
    """The JSON API and the feeds carry Access-Control-Allow-Origin: *; pages do not need it."""
    for path in ("/api/v2/summary.json", "/history.atom", "/history.rss", "/api/v2/incidents/99.json"):
        assert client.get(path, headers={"Origin": "http://widget.test"}).headers[
            "Access-Control-Allow-Origin"] == "*", path
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


def test_preflight_is_answered(client: FlaskClient) -> None:
    """OPTIONS gets 204 with the methods allowed; on the API, the CORS grant for the headers asked for."""
    asked = {"Origin": "http://widget.test", "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "if-none-match, x-widget"}
    response = client.options("/api/v2/summary.json", headers=asked)
    assert response.status_code == 204 and response.get_data() == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "if-none-match, x-widget"
    hostile = client.options("/history.rss", headers={**asked, "Access-Control-Request-Headers": "x-a, <script>"})
    assert hostile.headers["Access-Control-Allow-Headers"] == "Accept, Cache-Control, If-Modified-Since, If-None-Match"
    page = client.options("/")
    assert page.status_code == 204 and page.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_unknown_paths_get_the_styled_404_page(client: FlaskClient) -> None:
    """Unknown paths, private files and other suffixes answer 404 with the site's 404.html, compressed too."""
    for path in ("/nothing-here.html", "/incidents/99/", "/.herald-site.lock", "/.index.html.1.2.tmp",
                 "/notes.txt", "/index.html.gz", "/../herald.db", "/%2e%2e/herald.db"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "<title>Page not found</title>" in response.get_data(as_text=True), path
    assert client.get("/nope", headers={"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"


def test_folders_redirect_to_their_slash(client: FlaskClient) -> None:
    """A folder without its trailing slash redirects (relatively) to the folder's URL."""
    response = client.get("/incidents/3")
    assert response.status_code == 301 and response.headers["Location"] == "3/"


def test_symlinks_are_never_followed(client: FlaskClient, site: Path, tmp_path: Path) -> None:
    """A symlinked file or folder inside the site answers 404, whether it points outside or inside."""
    secret = tmp_path / "secret.html"
    secret.write_text("<p>outside</p>")
    (site / "out.html").symlink_to(secret)
    (site / "inside.html").symlink_to(site / "index.html")
    (site / "linked").symlink_to(site / "incidents")
    (site / "etc").symlink_to("/etc")
    (site / "loop.html").symlink_to(site / "loop.html")
    for path in ("/out.html", "/inside.html", "/linked/3/", "/linked/3/index.html", "/etc/", "/loop.html",
                 "/a%00.html", "/" + "x" * 5000 + ".html"):
        response = client.get(path)
        assert response.status_code == 404 and b"outside" not in response.get_data(), path


def test_the_database_is_never_opened_by_a_request(sqlite_client: FlaskClient, site: Path, tmp_path: Path) -> None:
    """Requests for the database by a symlink, a hard link with a site suffix or its own name never open it."""
    global _opened
    client, database = sqlite_client, tmp_path / "herald.db"
    (site / "herald.db").symlink_to(database)
    (site / "data.json").symlink_to(database)
    os.link(database, site / "copy.json")
    _opened = []
    try:
        statuses = [client.get(path).status_code for path in ("/herald.db", "/data.json", "/copy.json")]
        opened = list(_opened)
    finally:
        _opened = None
    assert statuses == [404, 404, 404]
    assert not [p for p in opened if Path(p).name in ("herald.db", "data.json", "copy.json")], opened
    assert any(p.endswith("404.html") for p in opened)  # the hook does see the server's opens


def test_requests_for_the_database_keep_sqlite_locks(sqlite_client: FlaskClient, site: Path,
                                                     tmp_path: Path) -> None:
    """While this process holds the live database, GETs of it leave its locks: another process closing
    the database does not take it for the last user and delete the write-ahead log (which lost commits)."""
    client, database = sqlite_client, tmp_path / "herald.db"
    (site / "live.json").symlink_to(database)
    os.link(database, site / "same.json")
    holder = sqlite3.connect(database)
    holder.execute("CREATE TABLE IF NOT EXISTS kept (n INTEGER)")
    holder.execute("INSERT INTO kept VALUES (1)")
    holder.commit()
    assert Path(f"{database}-wal").exists()
    for path in ("/live.json", "/same.json"):
        client.get(path)
    other = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM kept'); c.close()"
    subprocess.run([sys.executable, "-c", other, str(database)], check=True, timeout=30)
    assert Path(f"{database}-wal").exists(), "another process thought it was the last user: our locks were gone"
    holder.close()


@pytest.mark.parametrize(("site_dir", "cwd", "says"), [
    (".", "site", "is the working folder"), ("..", "site/sub", "is a parent of the working folder"),
    ("{tmp}", "..", "holds the database"), ("{tmp}/site/..", "..", "holds the database")])
def test_an_unsafe_site_folder_is_refused_at_start(sqlite_url: str, tmp_path: Path, site_dir: str, cwd: str,
                                                   says: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The web app refuses a site folder that is (or holds) the working folder or holds the database."""
    (tmp_path / cwd).mkdir(parents=True, exist_ok=True)
    config = load_config(make_env(sqlite_url, tmp_path))
    monkeypatch.chdir(tmp_path / cwd)
    unsafe = config.model_copy(update={"site_dir": Path(site_dir.format(tmp=tmp_path))})  # as `herald demo` does
    with pytest.raises(ConfigError, match=f"HERALD_SITE_DIR: .*{says}"):
        create_web(unsafe)

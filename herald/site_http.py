"""The status page part of `herald serve`: HERALD_SITE_DIR over HTTP, safely (the database store: herald.site_db).

Every GET, HEAD and OPTIONS that is not another route lands here. A path is served only when it names a
regular file with a known site suffix inside the site folder, reached through no symlink, that is not
the SQLite database; all of that is checked on the name and by `lstat` before anything is opened, so
the database file is never opened here (closing any descriptor of a SQLite file drops the whole
process's locks on it, and that once lost commits).
Text is sent brotli- or gzip-compressed as negotiated (herald.compression), with `Vary` and an ETag per
encoding; the JSON API and the feeds are readable from other origins; unknown paths get the 404.html
the builder writes.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import Flask, Request, Response, request
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import wrap_file

from bot.config import Config
from bot.errors import ConfigError
from bot.plugins.site_store import SiteStore
from bot.store.paths import site_dir_problem, sqlite_files
from bot.store.sites import DatabaseStore
from bot.store.sites.served import ServedSite
from herald import compression, site_db
from publishers.statuspage import files as site_files

METHODS = "GET, HEAD, OPTIONS"
REQUEST_HEADERS = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*")
DEFAULT_HEADERS = "Accept, Cache-Control, If-Modified-Since, If-None-Match"
PREFLIGHT_MAX_AGE = 86_400  # seconds a browser may reuse a preflight answer
_COMPRESSED = compression.Cache()  # one per process: every web thread shares it


@dataclass(frozen=True)
class Found:
    """A file to send: where it is, what it was when checked, and its site path."""

    path: Path
    info: os.stat_result
    site_path: str

    def etag(self, encoding: str | None) -> str:
        """A strong validator of this version of the file, distinct for each encoding it is sent in."""
        tag = f"{self.info.st_mtime_ns:x}-{self.info.st_size:x}"
        return f"{tag}-{encoding}" if encoding else tag


@dataclass(frozen=True)
class SiteFolder:
    """The resolved site folder and the database files it must never open."""

    root: Path
    database: tuple[Path, ...]

    @classmethod
    def of(cls, config: Config) -> SiteFolder:
        """The site folder of `config`, refused (ConfigError naming HERALD_SITE_DIR) if it is unsafe to serve."""
        problem = site_dir_problem(config.site_dir, config.database_url)
        if problem:
            raise ConfigError(f"bad configuration: HERALD_SITE_DIR: {problem}")
        return cls(config.site_dir.expanduser().resolve(), sqlite_files(config.database_url))

    def find(self, site_path: str) -> Found | None:
        """The regular file at `site_path`, or None: never outside the folder, through a symlink, or the database."""
        if not site_files.is_servable(site_path):
            return None
        candidate = self.root.joinpath(*PurePosixPath(site_path).parts)
        try:
            if candidate.resolve() != candidate:  # a symlink on the way, or an escape
                return None
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            return None
        info = self._regular(candidate)
        return None if info is None else Found(candidate, info, site_path)

    def open(self, found: Found) -> tuple[Found, BinaryIO] | None:
        """Open a file `find` returned (no symlink, and no FIFO can block it); None if it is gone.

        The site is rewritten by atomic replacement, so the file opened may be newer than the one
        checked: the returned Found describes the file actually opened."""
        try:
            fd = os.open(found.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return None
        handle = os.fdopen(fd, "rb")
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or self._is_database(info):  # swapped in since the check
            handle.close()
            return None
        return replace(found, info=info), handle

    def _regular(self, path: Path) -> os.stat_result | None:
        """`lstat` of `path` when it is a regular file (not a symlink) and not one of the database's files."""
        try:
            info = path.lstat()
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(info.st_mode) or self._is_database(info):
            return None
        return info

    def _is_database(self, info: os.stat_result) -> bool:
        """True when `info` is one of the database's files (a hard link has another name, not another inode)."""
        for path in self.database:
            try:
                db = path.stat()
            except OSError:
                continue
            if (db.st_dev, db.st_ino) == (info.st_dev, info.st_ino):
                return True
        return False


def register(web: Flask, config: Config, store: SiteStore | None = None) -> None:
    """Serve the site store (the folder, or the database through herald.site_db) at `/` and every path no
    other route takes (GET, HEAD and OPTIONS)."""
    source = _source(web, config, store)

    def view(path: str = "") -> BaseResponse:
        response = preflight(path, request) if request.method == "OPTIONS" else source(path, request)
        if site_files.is_cross_origin(path):
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    methods = ["GET", "HEAD", "OPTIONS"]
    web.add_url_rule("/", "site_root", view, methods=methods, provide_automatic_options=False)
    web.add_url_rule("/<path:path>", "site", view, methods=methods, provide_automatic_options=False)


def _source(web: Flask, config: Config, store: SiteStore | None) -> Callable[[str, Request], BaseResponse]:
    """How a path is answered: from the database store's in-memory copy (kept fresh by a listener thread,
    which `web.extensions["herald_site"].stop` ends), or from the site folder."""
    if isinstance(store, DatabaseStore):
        site = web.extensions["herald_site"] = ServedSite(store)
        site.start()
        return lambda path, req: site_db.serve(site, path, req)
    folder = SiteFolder.of(config)
    return lambda path, req: serve(folder, path, req)


def serve(folder: SiteFolder, path: str, req: Request) -> BaseResponse:
    """The file at `path` (a folder's index.html), a redirect to the folder's URL, or the 404 page."""
    site_path = path + "index.html" if path == "" or path.endswith("/") else path
    found = folder.find(site_path)
    if found is not None:
        return send(folder, found, req, status=200)
    if not PurePosixPath(path).suffix and folder.find(path + "/index.html") is not None:
        return Response(status=301, headers={"Location": PurePosixPath(path).name + "/"})
    return not_found(folder, req)


def not_found(folder: SiteFolder, req: Request) -> BaseResponse:
    """The site's 404.html with status 404 (a bare 404 until the builder has written one)."""
    page = folder.find(site_files.NOT_FOUND_PAGE)
    if page is None:
        return NotFound().get_response()
    return send(folder, page, req, status=404)


def send(folder: SiteFolder, found: Found, req: Request, *, status: int) -> BaseResponse:
    """Send `found`, compressed if negotiated, with type, validators and caching; 304 when unchanged."""
    opened = folder.open(found)
    if opened is None:
        return NotFound().get_response()
    found, handle = opened
    compressible = site_files.compressible(found.site_path)
    encoding = compression.negotiate(req.accept_encodings, found.info.st_size) if compressible else None
    response = Response(status=status, content_type=site_files.content_type(found.site_path))
    response.headers["Cache-Control"] = site_files.cache_control(found.site_path)
    if compressible:
        response.vary.add("Accept-Encoding")
    if status == 200:
        response.set_etag(found.etag(encoding))
        response.last_modified = datetime.fromtimestamp(found.info.st_mtime, UTC)
        response.make_conditional(req)
    if response.status_code != status:  # 304 Not Modified: no body
        handle.close()
        return response
    if encoding is None:
        response.response = wrap_file(req.environ, handle)
        response.direct_passthrough = True
        response.content_length = found.info.st_size
        return response
    with handle:
        response.set_data(_COMPRESSED.body(found.info, encoding, handle.read))
    response.headers["Content-Encoding"] = encoding
    return response


def preflight(path: str, req: Request) -> Response:
    """The answer to OPTIONS: 204 with the allowed methods; for cross-origin paths, the CORS preflight grant."""
    response = Response(status=204, headers={"Allow": METHODS})
    if site_files.is_cross_origin(path):
        asked = (req.headers.get("Access-Control-Request-Headers") or "").strip()
        response.headers["Access-Control-Allow-Methods"] = METHODS
        response.headers["Access-Control-Allow-Headers"] = (
            asked if asked and len(asked) <= 1024 and REQUEST_HEADERS.fullmatch(asked) else DEFAULT_HEADERS)
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        response.vary.add("Access-Control-Request-Headers")
    return response

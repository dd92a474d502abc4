"""The status page part of `herald serve` when the site lives in the database (HERALD_SITE_STORE=database).

The same rules as the folder (herald.site_http): only public paths with a site suffix, a folder's
index.html, a redirect for a folder without its slash, the site's 404.html, br/gzip as negotiated with
`Vary`, and the headers the builder stored with each file. The ETag is the file's SHA-256 (per encoding),
so every web process answers the same file with the same validator. Files come from the in-memory copy
of bot.store.sites.served: an unchanged file costs no query.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from flask import Request, Response
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import NotFound, ServiceUnavailable
from werkzeug.wrappers import Response as BaseResponse

from bot.plugins.site_store import SiteFile
from bot.store.sites.served import ServedSite
from herald import compression
from publishers.statuspage import files as site_files

log = logging.getLogger(__name__)
_COMPRESSED = compression.Cache()  # one per process: every web thread shares it


def find(site: ServedSite, site_path: str) -> SiteFile | None:
    """The stored file at a servable `site_path`, or None (never a dotfile, `..` or an unknown suffix)."""
    return site.get(site_path) if site_files.is_servable(site_path) else None


def serve(site: ServedSite, path: str, req: Request) -> BaseResponse:
    """The file at `path` (a folder's index.html), a redirect to the folder's URL, or the 404 page."""
    site_path = path + "index.html" if path == "" or path.endswith("/") else path
    try:
        found = find(site, site_path)
        if found is not None:
            return send(found, req, status=200)
        if not PurePosixPath(path).suffix and find(site, path + "/index.html") is not None:
            return Response(status=301, headers={"Location": PurePosixPath(path).name + "/"})
        page = find(site, site_files.NOT_FOUND_PAGE)
    except SQLAlchemyError as exc:  # the database is away and this file was not in memory
        log.warning("cannot read the site from the database (%s)", type(exc).__name__)
        return ServiceUnavailable().get_response()
    return NotFound().get_response() if page is None else send(page, req, status=404)


def send(found: SiteFile, req: Request, *, status: int) -> BaseResponse:
    """Send `found`, compressed if negotiated, with its stored type and caching; 304 when unchanged."""
    compressible = site_files.compressible(found.path)
    encoding = compression.negotiate(req.accept_encodings, len(found.data)) if compressible else None
    response = Response(status=status, content_type=found.content_type)
    response.headers["Cache-Control"] = found.cache_control
    if compressible:
        response.vary.add("Accept-Encoding")
    if status == 200:
        tag = found.etag[:32]
        response.set_etag(f"{tag}-{encoding}" if encoding else tag)
        response.last_modified = found.updated_at
        response.make_conditional(req)
    if response.status_code != status:  # 304 Not Modified: no body
        return response
    if encoding is None:
        response.set_data(found.data)
        return response
    response.set_data(_COMPRESSED.body(found.etag, encoding, lambda: found.data))
    response.headers["Content-Encoding"] = encoding
    return response

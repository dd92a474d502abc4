"""Pre-compressed siblings of the site's text files (`page.html.br`, `page.html.gz`).

Written once per change by the builder, so no server compresses a page per request: `herald serve`
negotiates `Accept-Encoding` over them, and so can nginx (`gzip_static`, `brotli_static`) or Caddy
(`file_server { precompressed br gzip }`). Files too small to gain are left alone.
"""

from __future__ import annotations

import gzip

import brotli

from publishers.site_files import ENCODINGS, compressible

MIN_SIZE = 1024  # bytes; below this the headers cost more than compression saves
BROTLI_QUALITY = 9  # 11 compresses a few per cent better at ~5× the CPU, which a burst of updates pays for
GZIP_LEVEL = 9
SUFFIXES = tuple(ENCODINGS.values())


def siblings(relpath: str, data: bytes) -> dict[str, bytes]:
    """The compressed siblings `relpath` should have, by suffix (none for small or non-text files)."""
    if len(data) < MIN_SIZE or not compressible(relpath):
        return {}
    return {ENCODINGS["br"]: brotli.compress(data, quality=BROTLI_QUALITY),
            ENCODINGS["gzip"]: gzip.compress(data, GZIP_LEVEL, mtime=0)}

"""Compressed responses for `herald serve`: brotli or gzip as the client prefers, each version of a file
compressed once per process.

Compressing when a file is served, not when it is built, keeps the builder at one write per changed file
(a full build writes thousands of pages; three files each would triple its cost), and any static host
or CDN in front of the site folder compresses on its own. A page changes a few times an hour during an
incident and is read many times between changes, so the cache keyed by the file's identity, mtime and
size (or, for the database site store, its ETag) makes the cost about one compression per encoding per
change: ~0.3 ms for a 40 KB page.
"""

from __future__ import annotations

import gzip
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import brotli
from werkzeug.datastructures import Accept

ENCODINGS = ("br", "gzip")  # ours, best first: used when the client ranks them equally
MIN_SIZE = 1024  # bytes; below this the headers cost more than compression saves
MAX_SIZE = 16 * 1024 * 1024  # bytes; larger files (none the builder writes) are sent as they are
BROTLI_QUALITY = 5  # 11 saves ~12 % more at 60-100× the CPU (60 ms for the 38 KB feed)
GZIP_LEVEL = 6
CACHE_BYTES = 32 * 1024 * 1024  # compressed bodies kept per process


def negotiate(accepted: Accept, size: int) -> str | None:
    """The encoding to send a `size`-byte file in: the client's favourite of ours, or None (as it is)."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        return None
    ranked = sorted(ENCODINGS, key=lambda e: -accepted.quality(e))  # stable: our order breaks ties
    return next((e for e in ranked if accepted.quality(e) > 0), None)


def compress(data: bytes, encoding: str) -> bytes:
    """`data` in `encoding` (`br` or `gzip`), reproducibly (no timestamp in the gzip header)."""
    if encoding == "br":
        window = max(10, min(24, (len(data) - 1).bit_length()))  # brotli's default 4 MiB window costs
        return bytes(brotli.compress(data, quality=BROTLI_QUALITY, lgwin=window))  # ~1.7 ms for a page
    return gzip.compress(data, GZIP_LEVEL, mtime=0)


Key = tuple[Hashable, str]  # the file's version (device, inode, mtime, size; or its ETag), the encoding


class Cache:
    """Compressed bodies by file version and encoding, least recently used dropped past CACHE_BYTES."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit, self.size = limit, 0
        self.entries: OrderedDict[Key, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def body(self, version: os.stat_result | Hashable, encoding: str, read: Callable[[], bytes]) -> bytes:
        """The compressed body of the file version `version` names (a folder's `stat`, or a stored file's
        strong ETag): cached, or `read()` and compressed."""
        if isinstance(version, os.stat_result):
            version = (version.st_dev, version.st_ino, version.st_mtime_ns, version.st_size)
        key = (version, encoding)
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        body = compress(read(), encoding)
        with self.lock:
            if key not in self.entries:
                self.entries[key] = body
                self.size += len(body)
            while self.size > self.limit:
                self.size -= len(self.entries.popitem(last=False)[1])
        return body

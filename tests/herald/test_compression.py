"""Compression for `herald serve`: the client's favourite encoding of ours, reproducible bodies, and a
bounded cache that never answers a new version of a file with an old one's bytes."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli
import pytest
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from herald.compression import Cache, compress, negotiate


def accept(header: str) -> Accept:
    """An Accept-Encoding header as werkzeug parses it for a request."""
    return parse_accept_header(header)


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0.4, gzip;q=0.9", "gzip"), ("*", "br"),
    ("identity", None), ("", None), ("br;q=0, gzip;q=0", None), ("deflate", None)])
def test_the_clients_favourite_of_ours_is_chosen(header: str, expected: str | None) -> None:
    """Quality values decide; equal ones go to brotli; nothing acceptable means the file as it is."""
    assert negotiate(accept(header), 5000) == expected


def test_tiny_and_huge_files_are_not_compressed() -> None:
    """Below 1 KiB compression does not pay; beyond 16 MiB the file is streamed as it is."""
    assert negotiate(accept("br"), 1023) is None and negotiate(accept("br"), 1024) == "br"
    assert negotiate(accept("br"), 16 * 1024 * 1024 + 1) is None


def test_bodies_decode_and_are_reproducible() -> None:
    """Both encodings decode to the input, and the same input gives the same bytes (no timestamp)."""
    data = b"<p>All systems operational.</p>" * 100
    assert brotli.decompress(compress(data, "br")) == data and gzip.decompress(compress(data, "gzip")) == data
    assert compress(data, "gzip") == compress(data, "gzip") and len(compress(data, "br")) < len(data) // 10


def test_each_version_is_compressed_once_and_old_ones_leave(tmp_path: Path) -> None:
    """A second request for the same version is served from the cache; a replaced file is compressed
    anew; past the byte limit the least recently used bodies are dropped."""
    page, reads = tmp_path / "index.html", []

    def read() -> bytes:
        reads.append(page.name)
        return page.read_bytes()

    page.write_bytes(b"one " * 1000)
    cache = Cache(limit=200)
    first = cache.body(page.stat(), "br", read)
    assert cache.body(page.stat(), "br", read) == first and len(reads) == 1
    (tmp_path / "new").write_bytes(os.urandom(3000))
    os.replace(tmp_path / "new", page)
    assert cache.body(page.stat(), "br", read) != first and len(reads) == 2
    assert cache.size <= 200 and len(cache.entries) == 0  # random bytes do not fit in 200: nothing kept

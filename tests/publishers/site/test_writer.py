"""The site writer: atomic replacement, change-only writes, readable permissions, one builder at a time."""

from __future__ import annotations

import gzip
import os
import threading
import time
from pathlib import Path

import brotli

from publishers.site.writer import SiteWriter


def test_writes_only_what_changed(tmp_path: Path) -> None:
    """Writing the same bytes twice rewrites nothing the second time; new bytes replace the file."""
    writer = SiteWriter(tmp_path)
    assert writer.write("a/b/index.html", "one") is True
    mtime = (tmp_path / "a/b/index.html").stat().st_mtime_ns
    assert writer.write("a/b/index.html", "one") is False
    assert (tmp_path / "a/b/index.html").stat().st_mtime_ns == mtime
    assert writer.write("a/b/index.html", "two") is True
    assert (tmp_path / "a/b/index.html").read_text() == "two" and writer.written == ["a/b/index.html"] * 2


def test_files_are_world_readable_and_no_temp_files_remain(tmp_path: Path) -> None:
    """A web server running as another user can read the files; temporary files are gone."""
    writer = SiteWriter(tmp_path)
    writer.write("index.html", "<!doctype html>")
    assert (tmp_path / "index.html").stat().st_mode & 0o044 == 0o044
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_the_lock_lets_one_builder_in_at_a_time(tmp_path: Path) -> None:
    """A second holder of the site lock waits until the first lets go."""
    writer, order = SiteWriter(tmp_path), []

    def second() -> None:
        with SiteWriter(tmp_path).locked():
            order.append("second")

    with writer.locked():
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first")
    thread.join(timeout=10)
    assert order == ["first", "second"]


def test_compressed_copies_follow_their_file(tmp_path: Path) -> None:
    """A large text file gets .br and .gz copies; unchanged content leaves them alone; a stale or missing
    copy is rewritten even when the file is unchanged; a file that shrinks below the threshold loses them."""
    writer, page = SiteWriter(tmp_path), tmp_path / "index.html"
    big = "<p>operational</p>" * 200
    writer.write("index.html", big)
    br, gz = tmp_path / "index.html.br", tmp_path / "index.html.gz"
    assert brotli.decompress(br.read_bytes()).decode() == big and gzip.decompress(gz.read_bytes()).decode() == big
    stamp = br.stat().st_mtime_ns
    assert writer.write("index.html", big) is False and br.stat().st_mtime_ns == stamp
    gz.unlink()
    os.utime(br, ns=(page.stat().st_mtime_ns - 10**9,) * 2)
    assert writer.write("index.html", big) is False
    assert gz.exists() and br.stat().st_mtime_ns >= page.stat().st_mtime_ns
    writer.write("index.html", "<p>short</p>")
    assert not br.exists() and not gz.exists()
    writer.write("notes.bin", b"\0" * 5000)
    assert not (tmp_path / "notes.bin.gz").exists()

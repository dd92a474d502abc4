"""The `dir` site store: atomic replacement, change-only writes, readable permissions, one builder at a time."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bot.store.sites.dir import DirStore
from publishers.statuspage.writer import SiteWriter


def test_writes_only_what_changed(tmp_path: Path) -> None:
    """Writing the same bytes twice rewrites nothing the second time; new bytes replace the file."""
    writer = SiteWriter(DirStore(tmp_path))
    assert writer.write("a/b/index.html", "one") is True
    mtime = (tmp_path / "a/b/index.html").stat().st_mtime_ns
    assert writer.write("a/b/index.html", "one") is False
    assert (tmp_path / "a/b/index.html").stat().st_mtime_ns == mtime
    assert writer.write("a/b/index.html", "two") is True
    assert (tmp_path / "a/b/index.html").read_text() == "two" and writer.written == ["a/b/index.html"] * 2


def test_files_are_world_readable_and_no_temp_files_remain(tmp_path: Path) -> None:
    """A web server running as another user can read the files; temporary files are gone."""
    writer = SiteWriter(DirStore(tmp_path))
    writer.write("index.html", "<!doctype html>")
    assert (tmp_path / "index.html").stat().st_mode & 0o044 == 0o044
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_the_lock_lets_one_builder_in_at_a_time(tmp_path: Path) -> None:
    """A second holder of the site lock waits until the first lets go."""
    writer, order = SiteWriter(DirStore(tmp_path)), []

    def second() -> None:
        with DirStore(tmp_path).publishing():
            order.append("second")

    with writer.locked():
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first")
    thread.join(timeout=10)
    assert order == ["first", "second"]

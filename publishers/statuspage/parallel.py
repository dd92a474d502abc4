"""Rendering many incident pages on every core: forked workers, each writing its share atomically.

Used by `herald site build` (a single-threaded process). Forking is safe there; a long-running process
with other threads (the worker, `herald serve`) builds with jobs=1, and so does a store whose writes a
forked child cannot share (the database store: its connections and pending batch belong to the parent).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable

from bot.domain.snapshots import IncidentView
from publishers.statuspage.writer import SiteWriter

PageWriter = Callable[[SiteWriter, IncidentView], None]
_share: tuple[PageWriter, SiteWriter, list[IncidentView], int] | None = None
MIN_PER_JOB = 200  # below this, forking costs more than it saves


def _work(index: int) -> list[str]:
    """In a forked child: write every `jobs`-th page starting at `index`; return the paths written."""
    assert _share is not None
    write_page, parent, views, jobs = _share
    writer = SiteWriter(parent.store)
    for view in views[index::jobs]:
        write_page(writer, view)
    return writer.written


def write_pages(write_page: PageWriter, writer: SiteWriter, views: list[IncidentView], jobs: int) -> None:
    """Call `write_page` for every view, across `jobs` forked processes when that pays off."""
    jobs = max(1, min(jobs, len(views) // MIN_PER_JOB)) if writer.store.fork_safe else 1
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for view in views:
            write_page(writer, view)
        return
    global _share
    _share = (write_page, writer, views, jobs)
    gc.freeze()  # children then leave the shared views' memory pages alone (no copy-on-write by the GC)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for written in pool.map(_work, range(jobs)):
                writer.written.extend(written)
    finally:
        gc.unfreeze()
        _share = None

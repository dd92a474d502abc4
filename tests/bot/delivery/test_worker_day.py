"""The worker moves the status page on at local midnight, even when nothing is published."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.core import Core
from bot.delivery.worker import Worker


def first_day(core: Core) -> str:
    """The first day listed under The Past on the front page."""
    html = (core.config.site_dir / "index.html").read_text()
    first = re.search(r'<div class="days">\s*(<h3 class="day">.*?</h3>|<p class="none">.*?</p>)', html, re.S)
    assert first is not None
    return re.findall(r'<time datetime="([0-9-]+)"', first.group(1))[-1]  # the newest day of a run of empty ones


def test_the_past_moves_on_at_local_midnight(core: Core) -> None:
    """A worker turn after midnight in the display zone rewrites the front page with the new day first."""
    evening = datetime(2010, 9, 3, 6, 58, tzinfo=UTC)  # 23:58 PDT on 2010-09-02
    clock = {"now": evening}
    worker = Worker(core, name="day", now=lambda: clock["now"])
    page = core.registry.get("statuspage")
    assert page is not None
    page.build(evening)  # type: ignore[attr-defined]
    worker.turn()
    assert first_day(core) == "2010-09-02"
    clock["now"] = evening + timedelta(minutes=4)  # 00:02 PDT on 2010-09-03
    worker.turn()
    assert first_day(core) == "2010-09-03"

"""Fixtures for the status site: the publisher on a migrated database, a sample history, a local server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Core
from bot.domain import service
from bot.domain.models import Thread
from bot.store import db
from publishers.statuspage import StatuspagePublisher
from tests.serving import serve_folder

NOW = datetime(2010, 9, 2, 16, 0, tzinfo=UTC)  # 09:00 PDT
XSS_TITLE = 'Checkout <script>alert(1)</script> & "quotes"'
XSS_BODY = "We see *errors* <img src=x onerror=alert(1)> and <script>alert(1)</script> [x](javascript:alert(1))"


@pytest.fixture
def publisher(core: Core) -> StatuspagePublisher:
    """The status page publisher the registry built for this core."""
    found = core.registry.get("statuspage")
    assert isinstance(found, StatuspagePublisher)
    return found


def sample(core: Core, now: datetime = NOW) -> dict[str, int]:
    """A small history: an open incident (edited, with threads), a window ahead, a resolved one, an old one."""
    pubs = ["statuspage"]
    with db.transaction(core.sessions) as s:
        first = service.declare(s, title=XSS_TITLE, changes=[("app", "major_outage")], impact="major",
                                body=XSS_BODY, at=now - timedelta(hours=2), publishers=pubs,
                                now=now - timedelta(hours=2))
        live = first.incident_id
        service.post_update(s, incident_id=live, status="identified", body="Found a bad deploy.",
                            publishers=pubs, now=now - timedelta(hours=1))
        service.edit_update(s, incident_id=live, number=2, body="Found it: a bad **deploy**.",
                            publishers=pubs, now=now - timedelta(minutes=50))
        s.add(Thread(incident_id=live, publisher="forum", first_id="7", last_id="9",
                     url="https://forum.example.test/t/7", data={}))
        s.add(Thread(incident_id=live, publisher="twitter", first_id="111", last_id="112",
                     url="https://x.example.test/herald/status/111", data={}))
        window = service.schedule_maintenance(
            s, title="Database upgrade", starts=now + timedelta(days=1), ends=now + timedelta(days=1, hours=2),
            changes=[("admin", None)], body="We will upgrade the database.", publishers=pubs, now=now)
        done = service.declare(s, title="Slow admin", changes=[("admin", None)], body="Looking.",
                               at=now - timedelta(days=3), publishers=pubs, now=now - timedelta(days=3))
        service.resolve(s, incident_id=done.incident_id, body="Fixed.", at=now - timedelta(days=3, hours=-1),
                        publishers=pubs, now=now - timedelta(days=3, hours=-1))
        old = service.declare(s, title="Last month", body="Old news.", at=now - timedelta(days=40),
                              publishers=pubs, now=now - timedelta(days=40))
        service.resolve(s, incident_id=old.incident_id, body="Done.", at=now - timedelta(days=40, hours=-2),
                        publishers=pubs, now=now - timedelta(days=40, hours=-2))
    return {"live": live, "window": window.incident_id, "done": done.incident_id, "old": old.incident_id}


@pytest.fixture
def built(core: Core, publisher: StatuspagePublisher) -> dict[str, int]:
    """The sample history, fully built into the site folder."""
    numbers = sample(core)
    publisher.build(NOW)
    return numbers


@pytest.fixture
def served(core: Core) -> Iterator[str]:
    """The site folder served over HTTP on 127.0.0.1 by the standard library; yields the base URL."""
    with serve_folder(Path(core.config.site_dir)) as url:
        yield url

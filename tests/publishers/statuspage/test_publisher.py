"""The statuspage publisher: preview render, publish receipt, retryable disk errors, `herald site build`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.config import Config
from bot.core import Core
from bot.domain import service
from bot.domain.models import Thread
from bot.domain.snapshots import Event, incident_url, incident_view, update_view
from bot.plugins.contract import PublishError
from bot.store import db
from herald.cli import main
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, XSS_TITLE, publisher, sample
from tests.support import make_env

__all__ = ["publisher"]  # the fixture, shared with the site tests


def event_for(core: Core, incident_id: int) -> Event:
    with core.sessions() as s:
        incident = service.get_incident(s, incident_id)
        latest = incident.updates[-1]
        return Event(incident_view(incident, core.config.public_url), update_view(latest), latest.revision)


def test_render_is_the_update_as_the_page_shows_it(core: Core, publisher: StatuspagePublisher) -> None:
    """render gives the title, status, body and formatted time, plus the page's HTML, and writes nothing."""
    numbers = sample(core)
    rendered = publisher.render(event_for(core, numbers["live"]))
    assert rendered.title == XSS_TITLE and rendered.text.startswith(f"{XSS_TITLE} — Identified (edited)")
    assert "Found it: a bad **deploy**." in rendered.text and "2010-09-02 08:00 PDT (15:00 UTC)" in rendered.text
    assert '<time datetime="2010-09-02T15:00:00Z" data-t>' in rendered.meta["html"]
    assert rendered.meta["url"] == incident_url("https://status.example.test", numbers["live"])
    assert not Path(core.config.site_dir).exists()


def test_publish_returns_the_incident_page(core: Core, publisher: StatuspagePublisher) -> None:
    """publish writes the site and its receipt's URL is the incident page (bot.domain.snapshots.incident_url)."""
    numbers = sample(core)
    event = event_for(core, numbers["window"])
    receipt = publisher.publish(event, publisher.render(event), None)
    assert receipt.url == f"https://status.example.test/incidents/{numbers['window']}/"
    assert receipt.external_id == f"{numbers['window']}/1/0"
    assert (Path(core.config.site_dir) / f"incidents/{numbers['window']}/index.html").is_file()


def test_an_unwritable_site_is_a_retryable_failure(core: Core, publisher: StatuspagePublisher) -> None:
    """When the site folder cannot be written, publish fails with a retryable PublishError."""
    numbers = sample(core)
    Path(core.config.site_dir).parent.mkdir(parents=True, exist_ok=True)
    Path(core.config.site_dir).write_text("not a folder")
    event = event_for(core, numbers["live"])
    with pytest.raises(PublishError) as failure:
        publisher.publish(event, publisher.render(event), None)
    assert failure.value.retryable


def test_site_build_command_rewrites_everything(config: Config, core: Core, database_url: str,
                                                tmp_path: Path) -> None:
    """`herald site build` writes every page from the database and says how many files changed."""
    with db.transaction(core.sessions) as s:
        service.declare(s, title="Built from the CLI", body="Hello.", now=NOW)
    result = CliRunner().invoke(main, ["site", "build", "--jobs", "1"], env=make_env(database_url, tmp_path))
    assert result.exit_code == 0, result.output
    assert "files changed" in result.output and str(config.site_dir) in result.output
    assert "Built from the CLI" in (config.site_dir / "incidents/1/index.html").read_text()
    assert (config.site_dir / "api/v2/summary.json").is_file()


def test_thread_links_arrive_after_other_channels_deliver(core: Core, publisher: StatuspagePublisher) -> None:
    """When the forum records its thread after the page was written, the delivery hook adds the link."""
    with db.transaction(core.sessions) as s:
        incident_id = service.declare(s, title="Slow", body="Looking.", now=NOW).incident_id
    publisher.refresh(incident_id, NOW)
    page = Path(core.config.site_dir) / f"incidents/{incident_id}/index.html"
    assert "Forum thread" not in page.read_text()
    core.after_delivery(incident_id)
    assert publisher.add_thread_links(incident_id) is False
    with db.transaction(core.sessions) as s:
        s.add(Thread(incident_id=incident_id, publisher="forum", first_id="5", last_id="5",
                     url="https://forum.example.test/t/5?a=1&b=2", data={}))
    core.after_delivery(incident_id)
    assert 'href="https://forum.example.test/t/5?a=1&amp;b=2"' in page.read_text()
    assert publisher.add_thread_links(incident_id) is False


def test_a_quiet_day_moves_the_past_on(core: Core, publisher: StatuspagePublisher) -> None:
    """refresh(None) the next day rewrites the shared files only, and The Past starts at the new day."""
    sample(core)
    publisher.build(NOW)
    writer = publisher.builder.writer
    before = len(writer.written)
    publisher.refresh(None, NOW + timedelta(days=1))
    written = writer.written[before:]
    assert "index.html" in written and not any(p.startswith("incidents/") for p in written)
    front = (Path(core.config.site_dir) / "index.html").read_text()
    assert '<div class="days">\n<p class="none">No incidents <time datetime="2010-09-03">' in front

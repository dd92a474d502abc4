"""Sandbox mode: the real publisher renders, the post lands in a local file once, and a page shows it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.config import load_config
from bot.domain.snapshots import Event, IncidentView, ThreadView, UpdateView
from bot.plugins.contract import Publisher, PublisherContext, Receipt, Rendered
from bot.plugins.registry import load
from bot.plugins.sandbox import SandboxPublisher, read_posts, threads
from bot.text.templating import make_environment
from bot.text.times import Clock

T = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)


class Chirp(Publisher):
    """A stand-in external channel that must never be called to publish in sandbox mode."""

    name = "twitter"
    label = "Twitter"
    sandboxable = True  # an outside channel, as the real one declares

    @classmethod
    def configured(cls, config: object) -> bool:
        return False

    def render(self, event: Event) -> Rendered:
        return Rendered(self.name, f"[{event.update.status}] {event.update.body}", meta={"weighted_length": 9})

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        raise AssertionError("the real network path was used in sandbox mode")


def event(number: int) -> Event:
    """Update `number` of incident #7."""
    update = UpdateView(number=number, status="investigating", body=f"text {number}", display_at=T, created_at=T)
    incident = IncidentView(id=7, kind="incident", title="<b>Slow</b>", impact="minor", status="investigating",
                            url="https://s/incidents/7/", started_at=T, resolved_at=None, scheduled_for=None,
                            scheduled_until=None, created_at=T, updated_at=T, updates=(update,))
    return Event(incident=incident, update=update)


def test_sandboxed_channel_writes_each_post_once_in_a_thread(tmp_path: Path) -> None:
    """Posts chain as replies, a retried delivery is recorded once, and the page shows the thread escaped."""
    config = load_config({"HERALD_SANDBOX": "1", "HERALD_SITE_DIR": str(tmp_path / "site"),
                          "HERALD_SANDBOX_DIR": str(tmp_path / "sandbox"), "HERALD_PUBLISHERS": "twitter"})
    context = PublisherContext(config=config, templates=make_environment(Clock()), clock=Clock())
    publisher = load(config, context, available={"twitter": Chirp}).get("twitter")
    assert isinstance(publisher, SandboxPublisher)
    first = publisher.publish(event(1), publisher.render(event(1)), None)
    thread = ThreadView("twitter", first.thread_first_id, first.thread_last_id, first.url)
    second = publisher.publish(event(2), publisher.render(event(2)), thread)
    publisher.publish(event(2), publisher.render(event(2)), thread)  # a retry after a crash
    posts = read_posts(tmp_path / "sandbox" / "twitter" / "incident-7.jsonl")
    assert [p["text"] for p in posts] == ["[investigating] text 1", "[investigating] text 2"]
    assert posts[1]["in_reply_to"] == first.external_id and second.sandbox
    assert list(threads(config, context.channels)) == [7]
    index = (tmp_path / "site" / "sandbox" / "index.html").read_text()
    page = (tmp_path / "site" / "sandbox" / "7" / "index.html").read_text()
    assert "&lt;b&gt;Slow&lt;/b&gt;" in index and "&lt;b&gt;Slow&lt;/b&gt;" in page and "9/280" in page
    assert first.url.endswith("/sandbox/7/#twitter")

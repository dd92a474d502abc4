"""Sandbox mode: Twitter, forum and Slack render and check exactly as for real, but deliver to files.

The real publisher still does everything up to the network: the same templates, the same length
rules, the same thread logic (each post replies to the thread's last post). The post is appended to
`sandbox/<publisher>/incident-<id>.jsonl` under a deterministic id, so a retried delivery is recorded
once, and `site/sandbox/` shows every thread as a reader would see it (bot/plugins/sandbox_pages.py).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.config import Config
from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import ChannelInfo, Publisher, PublisherContext, Receipt, Rendered
from bot.plugins.sandbox_pages import Coalescer, write_pages

PLACEHOLDERS: dict[str, Any] = {  # settings a real client needs to be built; never used to send
    "twitter_api_key": SecretStr("sandbox"), "twitter_api_secret": SecretStr("sandbox"),
    "twitter_access_token": SecretStr("sandbox"), "twitter_access_token_secret": SecretStr("sandbox"),
    "discourse_url": "http://sandbox.invalid", "discourse_api_key": SecretStr("sandbox"),
    "discourse_api_username": "sandbox", "discourse_category": "status",
    "slack_bot_token": SecretStr("xoxb-sandbox"), "slack_status_channel": "#status",
}


def sandbox_config(config: Config) -> Config:
    """`config` with placeholders for missing credentials, so real publishers can be built offline."""
    missing = {k: v for k, v in PLACEHOLDERS.items() if getattr(config, k) is None}
    return config.model_copy(update=missing)


class SandboxPublisher(Publisher):
    """Wraps a real publisher: its render, our local delivery."""

    name = "sandbox"
    label = "Sandbox"

    def __init__(self, context: PublisherContext, inner: Publisher) -> None:
        super().__init__(context)
        self.inner = inner
        self.name = inner.name
        self.label = f"{inner.label} (sandbox)"
        self.order = inner.order  # type: ignore[misc]

    def info(self) -> ChannelInfo:
        """The wrapped channel's declarations, under its sandbox label."""
        return replace(self.inner.info(), label=self.label)

    def render(self, event: Event) -> Rendered:
        """Exactly what the real channel would receive."""
        return self.inner.render(event)

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Append the post to the incident's thread file (once) and refresh the sandbox page."""
        post_id = f"{self.name}-{event.incident.id}-{event.update.number}-r{event.revision}"
        path = self.context.config.sandbox_dir / self.name / f"incident-{event.incident.id}.jsonl"
        posts = read_posts(path)
        if all(p["id"] != post_id for p in posts):
            posts.append(_post(post_id, event, rendered, thread))
            write_atomic(path, "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts))
        write_page(self.context, event.incident.id)
        url = f"{self.context.config.public_url.rstrip('/')}/sandbox/{event.incident.id}/#{self.name}"
        return Receipt(external_id=post_id, url=url, thread_first_id=(thread and thread.first_id) or post_id,
                       thread_last_id=post_id, thread_url=url, sandbox=True,
                       thread_data=dict(thread.data) if thread else {})


def _post(post_id: str, event: Event, rendered: Rendered, thread: ThreadView | None) -> dict[str, Any]:
    return {"id": post_id, "in_reply_to": thread.last_id if thread else None, "update": event.update.number,
            "revision": event.revision, "title": rendered.title, "text": rendered.text, "meta": rendered.meta,
            "incident": event.incident.id, "incident_title": event.incident.title}


def read_posts(path: Path) -> list[dict[str, Any]]:
    """The posts recorded in one thread file."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a reader never sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def threads(config: Config, channels: dict[str, ChannelInfo]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Every sandboxed thread: incident number → publisher → posts, channels in their declared order."""
    found: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for path in sorted(config.sandbox_dir.glob("*/incident-*.jsonl")):
        number = int(path.stem.split("-")[1])
        found.setdefault(number, {})[path.parent.name] = read_posts(path)

    def place(name: str) -> tuple[int, str]:
        return (channels[name].order if name in channels else 99, name)

    return {n: dict(sorted(ch.items(), key=lambda kv: place(kv[0]))) for n, ch in sorted(found.items())}


_pages = Coalescer()


def write_page(context: PublisherContext, number: int) -> None:
    """Rewrite incident `number`'s sandbox page and the sandbox index (a burst of posts: once or twice)."""
    def job(numbers: Iterable[int]) -> None:
        write_pages(context, numbers, threads(context.config, context.channels), write_atomic)

    _pages.run(context.config.site_dir, number, job)


def wrap(context: PublisherContext, publishers: dict[str, Publisher]) -> dict[str, Publisher]:
    """In sandbox mode, route the outside channels (those that declare `sandboxable`) to local files."""
    return {name: SandboxPublisher(context, p) if p.sandboxable else p for name, p in publishers.items()}


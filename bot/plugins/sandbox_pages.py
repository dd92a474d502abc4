"""The sandbox pages: every post each channel would have received, shown as its reader would see it.

`site/sandbox/index.html` lists every incident with its sandboxed threads; `site/sandbox/<n>/index.html`
shows one incident's threads: a tweet as its text with its links and weighted length, a forum post
rendered from its Markdown as Discourse shows it, a Slack announcement rendered from its mrkdwn (mentions
and broadcasts removed, as in any public text). No raw HTML from a post reaches either page.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from bot.config import Config
from bot.plugins.contract import ChannelInfo, PublisherContext
from bot.text.markdown_html import make_renderer
from bot.text.mrkdwn import to_markdown
from bot.text.sanitize import xml_safe
from bot.text.templating import render

_URL = re.compile(r"https?://\S+?(?=[.,;:!?)\]'\"]*(?:\s|$))")  # trailing punctuation ends the sentence
_chat = make_renderer(chat=True)


@dataclass(frozen=True)
class Post:
    """One post as its reader sees it."""

    id: str
    reply: bool
    correction: bool
    title: str | None = None
    html: Markup | None = None  # forum and Slack: rendered from their markup
    parts: tuple[tuple[str, str | None], ...] = ()  # a tweet: (text, link address or None) in order
    weighted_length: int | None = None


@dataclass(frozen=True)
class Incident:
    """One incident's sandboxed threads, channel by channel (bot.plugins.sandbox.threads orders them)."""

    number: int
    title: str
    threads: dict[str, list[Post]]


def tweet_parts(text: str) -> tuple[tuple[str, str | None], ...]:
    """A tweet's text split into plain runs and web addresses, which a reader sees as links."""
    parts: list[tuple[str, str | None]] = []
    last = 0
    for match in _URL.finditer(text):
        parts += [(text[last:match.start()], None), (match.group(), match.group())]
        last = match.end()
    return tuple(p for p in [*parts, (text[last:], None)] if p[0])


def post_view(post_format: str, raw: dict[str, Any]) -> Post:
    """The reader's view of one recorded post, by how its channel's posts read (ChannelInfo.post_format)."""
    common = {"id": raw["id"], "reply": bool(raw.get("in_reply_to")), "correction": bool(raw.get("revision")),
              "title": raw.get("title")}
    text = str(raw.get("text") or "")
    if post_format == "plain":
        weight = (raw.get("meta") or {}).get("weighted_length")
        return Post(**common, parts=tweet_parts(text), weighted_length=weight)
    markdown = to_markdown(text) if post_format == "mrkdwn" else text
    return Post(**common, html=Markup(_chat.render(markdown)))


def incident_view(number: int, threads: dict[str, list[dict[str, Any]]], channels: dict[str, ChannelInfo]) -> Incident:
    """One incident's threads as readers see them."""
    first = next(posts[0] for posts in threads.values() if posts)

    def form(name: str) -> str:
        return channels[name].post_format if name in channels else "markdown"

    return Incident(number, str(first.get("incident_title") or ""),
                    {name: [post_view(form(name), p) for p in posts] for name, posts in threads.items() if posts})


def write_pages(context: PublisherContext, numbers: Iterable[int], found: dict[int, dict[str, list[dict[str, Any]]]],
                write: Any) -> None:
    """Write the pages of incidents `numbers`, then the index, with `write(path, text)`."""
    config: Config = context.config
    folder = config.site_dir / "sandbox"
    names = {name: info.thread_name or info.label for name, info in context.channels.items()}
    views = {n: incident_view(n, threads, context.channels) for n, threads in sorted(found.items(), reverse=True)
             if any(threads.values())}  # newest first
    for number in numbers:
        if number in views:
            html = render(context.templates, "sandbox/incident.html.j2", incident=views[number], config=config,
                          channels=names)
            write(folder / str(number) / "index.html", xml_safe(html))
    index = render(context.templates, "sandbox/index.html.j2", incidents=list(views.values()), config=config,
                   channels=names)
    write(folder / "index.html", xml_safe(index))
    if not (folder / "mail" / "index.html").exists():  # the index links mail/: until a mail is kept, say so
        empty = render(context.templates, "sandbox/mail.html.j2", mails=[], config=config)
        write(folder / "mail" / "index.html", xml_safe(empty))


class Coalescer:
    """Posts from several lanes arrive together: while one thread writes, the others only add their
    incident to the queue, and the writer goes round again, so a burst costs a write or two."""

    def __init__(self) -> None:
        self._writing = threading.Lock()
        self._guard = threading.Lock()
        self._queued: dict[object, tuple[Any, set[int]]] = {}

    def run(self, key: object, number: int, job: Any) -> None:
        """Queue incident `number` under `key`; call `job(numbers)` unless another thread will."""
        with self._guard:
            self._queued.setdefault(key, (job, set()))[1].add(number)
        while self._queued and self._writing.acquire(blocking=False):
            try:
                with self._guard:
                    batches, self._queued = list(self._queued.values()), {}
                for queued_job, numbers in batches:
                    queued_job(numbers)
            finally:
                self._writing.release()

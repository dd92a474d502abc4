"""The forum (Discourse over httpx): a topic per incident, a reply per update, edits in place.

The topic carries `external_id` "herald-incident-<id>-<created, UTC, to the second>" (the stamp keeps
a fresh database's incident 1 from landing in an old incident 1's topic); before opening one, the
publisher asks for that id, so a retry after a crash (topic created, receipt never recorded) finds it instead of
opening a second. Replies are made idempotent the same way: before replying, the topic's posts by
our user that the thread does not know yet are compared with the reply's text, and a match is
taken as already sent. (Discourse's 422 "Body is too similar…" alone is not enough: it lapses after
a few minutes, which a backoff can exceed, and is a site setting.) Per-update post ids live in the
thread's data, {"posts": {"<update number>": post id}}, so a correction edits the right post.

DISCOURSE_CATEGORY is a category id, or a slug or name looked up once in /categories.json.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from bot.domain.snapshots import Event, IncidentView, ThreadView
from bot.plugins.contract import Config, Publisher, PublishError, Receipt, Rendered
from bot.text.markdown_html import without_raw_html
from bot.text.templating import render
from publishers.forum.client import DiscourseClient
from publishers.forum.topics import Topics


def external_id(incident: IncidentView) -> str:
    """The forum topic's external_id for an incident: its number and when it was created."""
    return f"herald-incident-{incident.id}-{incident.created_at.astimezone(UTC):%Y%m%d%H%M%S}"


class ForumPublisher(Publisher):
    """Posts each update to the incident's Discourse topic."""

    name = "forum"
    label = "Forum"
    sandboxable, public_thread = True, True
    order, thread_name, post_format = 20, "Forum thread", "markdown"
    settings = ("DISCOURSE_URL", "DISCOURSE_API_KEY", "DISCOURSE_API_USERNAME")

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        config = context.config
        key = config.discourse_api_key.get_secret_value() if config.discourse_api_key else ""
        self.client = DiscourseClient(config.discourse_url or "", key, config.discourse_api_username or "",
                                      timeout=config.publish_timeout)
        self.topics = Topics(self.client, config.discourse_category)

    @classmethod
    def configured(cls, config: Config) -> bool:
        """True when DISCOURSE_URL, DISCOURSE_API_KEY and DISCOURSE_API_USERNAME are set."""
        return config.discourse_configured

    def render(self, event: Event) -> Rendered:
        """The post's Markdown for `event` (a correction re-renders the original post; an event kind
        without a template reads as an update), and the title. The body carries no raw HTML."""
        env, update = self.context.templates, event.update
        values = {"incident": event.incident, "update": update, "body": without_raw_html(update.body.strip())}
        name = env.select_template([f"forum/{update.event}.j2", "forum/update.j2"]).name or ""
        text = render(env, name, **values)
        meta = {"edit_reason": render(env, "forum/edit_reason.j2", **values)} if event.is_correction else {}
        return Rendered(self.name, text, title=render(env, "forum/title.j2", **values), meta=meta)

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Open the topic, reply in it, or edit the update's post in place."""
        if event.is_correction:
            return self._edit(event, rendered, thread)
        if thread is None or not thread.first_id:
            return self._open(event, rendered)
        return self._reply(event, rendered, thread)

    def _open(self, event: Event, rendered: Rendered) -> Receipt:
        ext = external_id(event.incident)
        post = self.topics.first_post(ext) or self.topics.create(ext, rendered.title or "", rendered.text)
        data = {"title": rendered.title, "slug": post["topic_slug"], "posts": {}}
        return self._receipt(post, event, data)

    def _reply(self, event: Event, rendered: Rendered, thread: ThreadView) -> Receipt:
        topic_id, known = int(thread.first_id or 0), thread.data.get("posts", {})
        post = self.topics.find_reply(topic_id, rendered.text, known) or \
            self.topics.reply(topic_id, rendered.text, known)
        data = dict(thread.data)
        if rendered.title and rendered.title != data.get("title"):
            self.topics.retitle(topic_id, rendered.title)
            data["title"] = rendered.title
        return self._receipt(post, event, data)

    def _edit(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        posts = thread.data.get("posts", {}) if thread else {}
        post_id = posts.get(str(event.update.number))
        if thread is None or post_id is None:
            raise PublishError(f"update {event.update.number} never reached the forum, so there is no post "
                               "to correct", retryable=False)
        post = self.topics.edit(int(post_id), rendered.text, rendered.meta.get("edit_reason", ""))
        return Receipt(external_id=str(post["id"]), url=self.topics.post_url(post),
                       thread_first_id=thread.first_id, thread_last_id=thread.last_id,
                       thread_url=thread.url, thread_data=dict(thread.data))

    def _receipt(self, post: dict[str, Any], event: Event, data: dict[str, Any]) -> Receipt:
        """The receipt for a new post: it becomes the thread's last, under its update number."""
        data["posts"] = {**data.get("posts", {}), str(event.update.number): post["id"]}
        return Receipt(external_id=str(post["id"]), url=self.topics.post_url(post),
                       thread_first_id=str(post["topic_id"]), thread_last_id=str(post["id"]),
                       thread_url=self.topics.topic_url(post), thread_data=data)

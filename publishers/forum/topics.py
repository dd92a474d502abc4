"""Discourse topic operations the forum publisher needs, each safe to repeat after a crash."""

from __future__ import annotations

from typing import Any

from bot.plugins.contract import PublishError
from publishers.forum.client import DiscourseClient, DiscourseError

TOO_SIMILAR = "too similar"  # Discourse: "Body is too similar to what you recently posted"
LOOKBACK = 10  # how many unknown posts of a topic are read back when looking for our own reply


class Topics:
    """Open, find, reply to, retitle and edit topics on one forum."""

    def __init__(self, client: DiscourseClient, category: str | None) -> None:
        self.client, self.category = client, category
        self._category_id: int | None = None

    def first_post(self, external_id: str) -> dict[str, Any] | None:
        """The first post of the topic with this external_id, if the forum has one."""
        topic = self.client.find(f"/t/external_id/{external_id}.json")
        if topic is None:
            return None
        return dict(topic["post_stream"]["posts"][0])

    def create(self, external_id: str, title: str, raw: str) -> dict[str, Any]:
        """Open a topic; if the external_id is taken meanwhile, the existing topic's first post."""
        body: dict[str, Any] = {"title": title, "raw": raw, "external_id": external_id}
        category = self.category_id()
        if category is not None:
            body["category"] = category
        try:
            return self.client.call("POST", "/posts.json", body)
        except DiscourseError as exc:
            found = self.first_post(external_id) if exc.status == 422 else None
            if found is None:
                raise
            return found

    def reply(self, topic_id: int, raw: str, known: dict[str, Any]) -> dict[str, Any]:
        """Reply in the topic; a "too similar" refusal for a reply we already made returns that reply."""
        try:
            return self.client.call("POST", "/posts.json", {"topic_id": topic_id, "raw": raw})
        except DiscourseError as exc:
            found = self.find_reply(topic_id, raw, known) if _too_similar(exc) else None
            if found is None:
                raise
            return found

    def find_reply(self, topic_id: int, raw: str, known: dict[str, Any]) -> dict[str, Any] | None:
        """Our post in the topic with exactly this text that the thread does not know yet, if any."""
        topic = self.client.call("GET", f"/t/{topic_id}.json")
        known_ids = {int(v) for v in known.values()}
        floor = max(known_ids, default=0)
        listed = {p["id"]: p for p in topic["post_stream"]["posts"]}
        newer = [i for i in topic["post_stream"]["stream"] if i > floor and i not in known_ids][-LOOKBACK:]
        for post_id in newer:
            if post_id in listed and listed[post_id].get("username") != self.client.username:
                continue
            post = self.client.call("GET", f"/posts/{post_id}.json")
            if post.get("username") == self.client.username and str(post.get("raw", "")).strip() == raw.strip():
                return post
        return None

    def retitle(self, topic_id: int, title: str) -> None:
        """Set the topic's title (sent both top-level, as Discourse's controller reads it, and as the
        spec's `topic.title`)."""
        self.client.call("PUT", f"/t/-/{topic_id}.json", {"title": title, "topic": {"title": title}})

    def edit(self, post_id: int, raw: str, reason: str) -> dict[str, Any]:
        """Replace a post's text in place, with an edit reason readers can see."""
        answer = self.client.call("PUT", f"/posts/{post_id}.json", {"post": {"raw": raw, "edit_reason": reason}})
        return dict(answer["post"])

    def category_id(self) -> int | None:
        """DISCOURSE_CATEGORY as an id: used as is when numeric, else looked up by slug or name."""
        if self.category is None or self.category.strip() == "":
            return None
        if self.category.strip().isdigit():
            return int(self.category)
        if self._category_id is None:
            listing = self.client.call("GET", "/categories.json", params={"include_subcategories": "true"})
            self._category_id = _match(listing["category_list"]["categories"], self.category.strip())
        return self._category_id

    def topic_url(self, post: dict[str, Any]) -> str:
        """The public URL of a post's topic."""
        return f"{self.client.base_url}/t/{post['topic_slug']}/{post['topic_id']}"

    def post_url(self, post: dict[str, Any]) -> str:
        """The public URL of one post."""
        return f"{self.topic_url(post)}/{post['post_number']}"


def _too_similar(exc: DiscourseError) -> bool:
    return exc.status == 422 and any(TOO_SIMILAR in e.lower() for e in exc.errors)


def _match(categories: list[dict[str, Any]], wanted: str) -> int:
    """The id of the category whose slug or name is `wanted` (any case)."""
    for category in categories:
        if wanted.lower() in (str(category.get("slug", "")).lower(), str(category.get("name", "")).lower()):
            return int(category["id"])
    names = ", ".join(str(c.get("slug")) for c in categories) or "none"
    raise PublishError(f'DISCOURSE_CATEGORY "{wanted}" matches no category on the forum (slugs: {names})',
                       retryable=False)

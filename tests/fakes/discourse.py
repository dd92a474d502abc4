"""A fake Discourse: topics and posts with external_id, edits, title changes, Discourse's 429 and 422.

Response bodies carry every key Discourse's OpenAPI spec (refs/discourse/openapi.json) requires,
filled with type-correct defaults under the real values, so they validate against that spec.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakes import FakeServer, Recorded, Reply
from tests.fakes.discourse_shapes import REFS, category_schema, fill, post_schema, schema, spec

__all__ = ["REFS", "FakeDiscourse", "spec"]
KEY, USERNAME = "dk-test", "herald"
CATEGORIES = ({"id": 5, "name": "Status", "slug": "status"},
              {"id": 1, "name": "Uncategorized", "slug": "uncategorized"})
NOT_FOUND = {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}
FORBIDDEN = {"errors": ["You are not permitted to view the requested resource. The API username or key is invalid."],
             "error_type": "invalid_access"}
TOO_SIMILAR = "Body is too similar to what you recently posted"


class FakeDiscourse(FakeServer):
    """Discourse on 127.0.0.1 (see the module docstring for the routes)."""

    def __init__(self, **faults: Any) -> None:
        super().__init__(**faults)
        self.topics: dict[int, dict[str, Any]] = {}
        self.posts: dict[int, dict[str, Any]] = {}
        self.topic_ids, self.post_ids = itertools.count(20), itertools.count(100)

    def env(self, category: str = "status") -> dict[str, str]:
        """Settings that point Herald's forum publisher here."""
        return {"DISCOURSE_URL": self.url, "DISCOURSE_API_KEY": KEY, "DISCOURSE_API_USERNAME": USERNAME,
                "DISCOURSE_CATEGORY": category}

    def route(self, request: Recorded) -> Reply:
        """Check Api-Key/Api-Username, then dispatch on method and path."""
        if request.headers.get("Api-Key") != KEY or not request.headers.get("Api-Username"):
            return Reply(403, FORBIDDEN)
        key, path = request.method, request.path
        routes = [("POST", r"/posts\.json", self.create), ("GET", r"/posts/(\d+)\.json", self.get_post),
                  ("PUT", r"/posts/(\d+)\.json", self.edit_post), ("PUT", r"/t/-/(\d+)\.json", self.retitle),
                  ("GET", r"/t/external_id/([^/]+)\.json", self.by_external_id),
                  ("GET", r"/t/(?:[^/]+/)?(\d+)\.json", self.get_topic), ("GET", r"/categories\.json", self.categories)]
        for method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if method == key and match:
                return handler(request, *match.groups())
        return Reply(404, NOT_FOUND)

    def create(self, request: Recorded, *_: str) -> Reply:
        """POST /posts.json: a new topic (title, category, external_id) or a reply (topic_id)."""
        body = request.body if isinstance(request.body, dict) else {}
        errors = self._invalid(body, request.headers["Api-Username"])
        if errors:
            return Reply(422, {"action": "create_post", "errors": errors})
        topic_id = body.get("topic_id") or self._new_topic(body, request.headers["Api-Username"])
        post = self._new_post(int(topic_id), body["raw"], request.headers["Api-Username"])
        return Reply(200, self.post_json(post["id"], "create"))

    def _invalid(self, body: dict[str, Any], username: str) -> list[str]:
        """Discourse's validation errors for a new post, worded as Discourse words them."""
        raw, errors = str(body.get("raw") or ""), []
        if len(raw.strip()) < 20:
            errors.append("Body is too short (minimum is 20 characters)")
        if "topic_id" in body:
            if body["topic_id"] not in self.topics:
                errors.append("Topic not found")
        elif len(str(body.get("title") or "")) < 15:
            errors.append("Title is too short (minimum is 15 characters)")
        if body.get("external_id") and any(t["external_id"] == body["external_id"] for t in self.topics.values()):
            errors.append("External ID has already been taken")
        mine = [p for p in self.posts.values() if p["username"] == username]
        if mine and mine[-1]["raw"] == raw:
            errors.append(TOO_SIMILAR)
        return errors

    def _new_topic(self, body: dict[str, Any], username: str) -> int:
        topic_id = next(self.topic_ids)
        slug = re.sub(r"[^a-z0-9]+", "-", body["title"].lower()).strip("-") or "topic"
        self.topics[topic_id] = {"id": topic_id, "title": body["title"], "slug": slug, "posts": [],
                                 "category_id": body.get("category") or 1, "external_id": body.get("external_id"),
                                 "created_at": _now(), "username": username}
        return topic_id

    def _new_post(self, topic_id: int, raw: str, username: str) -> dict[str, Any]:
        topic = self.topics[topic_id]
        post = {"id": next(self.post_ids), "topic_id": topic_id, "post_number": len(topic["posts"]) + 1,
                "raw": raw, "username": username, "created_at": _now(), "updated_at": _now(), "version": 1,
                "edit_reason": None}
        topic["posts"].append(post["id"])
        self.posts[post["id"]] = post
        return post

    def get_post(self, request: Recorded, post_id: str) -> Reply:
        """GET /posts/{id}.json (with raw)."""
        if int(post_id) not in self.posts:
            return Reply(404, NOT_FOUND)
        return Reply(200, self.post_json(int(post_id), "get"))

    def edit_post(self, request: Recorded, post_id: str) -> Reply:
        """PUT /posts/{id}.json {post: {raw, edit_reason}}: edit in place, version + 1."""
        post = self.posts.get(int(post_id))
        if post is None:
            return Reply(404, NOT_FOUND)
        change = (request.body or {}).get("post") or {}
        if len(str(change.get("raw") or "").strip()) < 20:
            return Reply(422, {"action": "edit_post", "errors": ["Body is too short (minimum is 20 characters)"]})
        if change["raw"] != post["raw"]:
            post.update(raw=change["raw"], edit_reason=change.get("edit_reason"), version=post["version"] + 1,
                        updated_at=_now())
        return Reply(200, {"post": self.post_json(post["id"], "edit")})

    def retitle(self, request: Recorded, topic_id: str) -> Reply:
        """PUT /t/-/{id}.json {topic: {title}} (a top-level title is accepted too, as Discourse does)."""
        topic = self.topics.get(int(topic_id))
        if topic is None:
            return Reply(404, NOT_FOUND)
        body = request.body or {}
        title = (body.get("topic") or {}).get("title") or body.get("title")
        if not title or len(title) < 15:
            return Reply(422, {"errors": ["Title is too short (minimum is 15 characters)"]})
        topic["title"] = title
        return Reply(200, {"basic_topic": {"id": topic["id"], "title": title, "fancy_title": title,
                                           "slug": topic["slug"], "posts_count": len(topic["posts"])}})

    def by_external_id(self, request: Recorded, external_id: str) -> Reply:
        """GET /t/external_id/{id}.json: a 301 to the topic's JSON, as Discourse answers."""
        topic = next((t for t in self.topics.values() if t["external_id"] == external_id), None)
        if topic is None:
            return Reply(404, NOT_FOUND)
        return Reply(301, None, {"Location": f"{self.url}/t/{topic['slug']}/{topic['id']}.json"})

    def get_topic(self, request: Recorded, topic_id: str) -> Reply:
        """GET /t/{id}.json and /t/{slug}/{id}.json: the topic with its post stream."""
        if int(topic_id) not in self.topics:
            return Reply(404, NOT_FOUND)
        return Reply(200, self.topic_json(int(topic_id)))

    def categories(self, request: Recorded) -> Reply:
        """GET /categories.json."""
        return Reply(200, fill(schema("/categories.json", "get"),
                               {"category_list": {"categories": [fill(category_schema(), c) for c in CATEGORIES]}}))

    def rate_limited(self) -> Reply:
        """Discourse's 429: the wait in extras.wait_seconds and in Retry-After."""
        wait = self.wait_seconds
        return Reply(429, {"errors": [f"You’ve performed this action too many times. Please wait {wait} seconds "
                                      "before trying again."], "error_type": "rate_limit",
                           "extras": {"wait_seconds": wait, "time_left": f"{wait} seconds"}},
                     {"Retry-After": str(wait)})

    def post_json(self, post_id: int, kind: str) -> dict[str, Any]:
        """A post as Discourse serialises it for `kind` create, get, edit or stream."""
        post, shape = self.posts[post_id], post_schema(kind)
        topic = self.topics[post["topic_id"]]
        values = {k: v for k, v in post.items() if k in shape["properties"]}
        values.update(cooked=f"<p>{post['raw']}</p>", topic_slug=topic["slug"], yours=post["username"] == USERNAME,
                      post_url=f"/t/{topic['slug']}/{topic['id']}/{post['post_number']}",
                      display_username=post["username"], posts_count=len(topic["posts"]), post_type=1)
        return fill(shape, {k: v for k, v in values.items() if k in shape["properties"]})

    def topic_json(self, topic_id: int) -> dict[str, Any]:
        """A topic with its post stream (the first 20 posts, every id in `stream`)."""
        topic = self.topics[topic_id]
        posts = [self.post_json(p, "stream") for p in topic["posts"][:20]]
        return fill(schema("/t/{id}.json", "get"), {
            "id": topic["id"], "title": topic["title"], "fancy_title": topic["title"], "slug": topic["slug"],
            "posts_count": len(topic["posts"]), "category_id": topic["category_id"], "created_at": topic["created_at"],
            "highest_post_number": len(topic["posts"]), "archetype": "regular",
            "post_stream": {"posts": posts, "stream": list(topic["posts"])}})

    def posts_per_topic(self) -> dict[int, int]:
        """How many posts each topic received."""
        with self.lock:
            return {t["id"]: len(t["posts"]) for t in self.topics.values()}

    def topic_by_external_id(self, external_id: str) -> dict[str, Any] | None:
        """Our record of the topic with this external_id."""
        with self.lock:
            return next((t for t in self.topics.values() if t["external_id"] == external_id), None)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

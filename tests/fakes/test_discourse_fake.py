"""The fake Discourse itself: auth, the spec's response shapes, external_id, 429/422, counters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.fakes.discourse import KEY, REFS, USERNAME, FakeDiscourse, spec


@pytest.fixture
def api() -> Iterator[FakeDiscourse]:
    """A fake Discourse on 127.0.0.1."""
    with FakeDiscourse(wait_seconds=9) as fake:
        yield fake


@pytest.fixture
def http(api: FakeDiscourse) -> Iterator[httpx.Client]:
    """An authenticated client."""
    with httpx.Client(base_url=api.url, headers={"Api-Key": KEY, "Api-Username": USERNAME}, timeout=2) as client:
        yield client


def check(path: str, method: str, body: Any, status: str = "200") -> None:
    """Validate a response body against the Discourse spec."""
    schema = spec()["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    Draft202012Validator(schema).validate(body)


def sample(name: str) -> dict[str, Any]:
    """One of Discourse's own sample responses."""
    return dict(json.loads((REFS / "discourse" / f"api-docs_{name}.json").read_text(encoding="utf-8")))


def open_topic(http: httpx.Client, external_id: str = "ext-1") -> dict[str, Any]:
    """Create a topic and return Discourse's answer."""
    answer = http.post("/posts.json", json={"title": "A topic title long enough", "raw": "A first post long enough.",
                                            "category": 5, "external_id": external_id})
    assert answer.status_code == 200
    return dict(answer.json())


def test_requests_without_the_api_key_are_refused(api: FakeDiscourse) -> None:
    """No or a wrong Api-Key gets Discourse's 403 invalid_access."""
    answer = httpx.post(api.url + "/posts.json", json={"raw": "x" * 30, "title": "y" * 20}, headers={"Api-Key": "no"})
    assert answer.status_code == 403 and answer.json()["error_type"] == "invalid_access" and api.topics == {}


def test_created_post_matches_the_spec_and_the_sample(http: httpx.Client) -> None:
    """POST /posts.json answers with the spec's post and the keys of Discourse's own sample."""
    created = open_topic(http)
    check("/posts.json", "post", created)
    wanted = {"id", "topic_id", "topic_slug", "post_number", "username", "cooked"}
    assert wanted <= set(sample("topics_new_topic_response")) and wanted <= set(created)
    assert created["post_number"] == 1 and created["topic_slug"] == "a-topic-title-long-enough"


def test_external_id_redirects_to_the_topic(http: httpx.Client, api: FakeDiscourse) -> None:
    """GET /t/external_id/… is a 301 to the topic's JSON, whose post stream matches the spec."""
    created = open_topic(http)
    moved = http.get("/t/external_id/ext-1.json")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/t/a-topic-title-long-enough/"
                                                                           f"{created['topic_id']}.json")
    topic = http.get("/t/external_id/ext-1.json", follow_redirects=True).json()
    check("/t/{id}.json", "get", topic)
    assert topic["post_stream"]["stream"] == [created["id"]] and http.get("/t/external_id/nope.json").status_code == 404


def test_edit_retitle_and_get_match_the_spec(http: httpx.Client) -> None:
    """Editing a post, retitling a topic and reading a post answer in the spec's shapes."""
    created = open_topic(http)
    edited = http.put(f"/posts/{created['id']}.json", json={"post": {"raw": "An edited text, long enough.",
                                                                     "edit_reason": "typo"}}).json()
    check("/posts/{id}.json", "put", edited)
    assert edited["post"]["version"] == 2 and set(edited) == set(sample("posts_update_post_response"))
    retitled = http.put(f"/t/-/{created['topic_id']}.json", json={"topic": {"title": "[Resolved] Long title"}}).json()
    check("/t/-/{id}.json", "put", retitled)
    assert set(retitled["basic_topic"]) == set(sample("topics_update_topic_response")["basic_topic"])
    post = http.get(f"/posts/{created['id']}.json").json()
    check("/posts/{id}.json", "get", post)
    assert post["raw"] == "An edited text, long enough." and post["edit_reason"] == "typo"


def test_validation_errors_are_422_with_discourses_words(http: httpx.Client) -> None:
    """A taken external_id, a short body and a repeated body are refused as Discourse refuses them."""
    created = open_topic(http)
    taken = http.post("/posts.json", json={"title": "Another long title", "raw": "Another long enough body.",
                                           "external_id": "ext-1"})
    short = http.post("/posts.json", json={"topic_id": created["topic_id"], "raw": "short"})
    again = http.post("/posts.json", json={"topic_id": created["topic_id"], "raw": "A first post long enough."})
    assert [r.status_code for r in (taken, short, again)] == [422, 422, 422]
    assert short.json()["errors"] == ["Body is too short (minimum is 20 characters)"]
    assert again.json()["errors"] == ["Body is too similar to what you recently posted"]


def test_rate_limit_carries_wait_seconds(http: httpx.Client, api: FakeDiscourse) -> None:
    """A scripted 429 says how long to wait in extras.wait_seconds and Retry-After; nothing is posted."""
    api.script("429")
    answer = http.post("/posts.json", json={"title": "A topic title long enough", "raw": "A first post long enough."})
    assert answer.status_code == 429 and answer.json()["extras"]["wait_seconds"] == 9
    assert answer.headers["Retry-After"] == "9" and api.topics == {}


def test_categories_match_the_spec(http: httpx.Client) -> None:
    """GET /categories.json lists the fake's categories in the spec's shape."""
    listing = http.get("/categories.json").json()
    check("/categories.json", "get", listing)
    assert [c["slug"] for c in listing["category_list"]["categories"]] == ["status", "uncategorized"]


def test_concurrent_replies_are_all_counted(api: FakeDiscourse, http: httpx.Client) -> None:
    """Parallel replies are numbered without gaps or repeats and counted per topic."""
    topic_id = open_topic(http)["topic_id"]

    def reply(n: int) -> int:
        with httpx.Client(base_url=api.url, headers={"Api-Key": KEY, "Api-Username": USERNAME}) as client:
            return int(client.post("/posts.json", json={"topic_id": topic_id, "raw": f"Reply number {n:04d} here"})
                       .json()["post_number"])

    with ThreadPoolExecutor(8) as pool:
        numbers = sorted(pool.map(reply, range(40)))
    assert numbers == list(range(2, 42)) and api.posts_per_topic() == {topic_id: 41}

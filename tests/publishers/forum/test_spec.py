"""Every request the forum publisher sends is one the Discourse API spec describes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bot.plugins.contract import PublishError
from publishers.forum import ForumPublisher
from tests.fakes import Recorded
from tests.fakes.discourse import FakeDiscourse, spec
from tests.fakes.incidents import Story, context, deliver, herald

REDIRECT_TARGET = re.compile(r"/t/(?!-/)[^/]+/\d+\.json")  # where Discourse's own 301 sends us; not in the spec


def operation(request: Recorded) -> dict[str, Any]:
    """The spec's operation for a recorded request (the first path template that matches)."""
    for template, item in spec()["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.path) and request.method.lower() in item:
            return dict(item[request.method.lower()])
    raise AssertionError(f"{request.method} {request.path} is not in the Discourse API spec")


def check(request: Recorded) -> None:
    """Headers, query parameters and JSON body of `request` as its operation declares them."""
    op = operation(request)
    assert request.headers.get("Api-Key") and request.headers.get("Api-Username")
    for param in op.get("parameters", []):
        if param["in"] == "query" and param["name"] in request.query:
            value = request.query[param["name"]][0]
            Draft202012Validator(param["schema"]).validate(value == "true" if value in ("true", "false") else value)
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if request.method in ("POST", "PUT"):
        assert schema is not None, f"{request.method} {request.path} takes no JSON body in the spec"
        Draft202012Validator(schema).validate(request.body)


def test_every_request_is_in_the_discourse_spec(database_url: str, tmp_path: Path) -> None:
    """Opening, replying (with a lost answer and its lookup), retitling and editing all follow the spec."""
    with FakeDiscourse() as api, herald(database_url, tmp_path, **api.env()) as core:
        forum, story = ForumPublisher(context(core)), Story(core)
        _, thread = deliver(forum, story.declare(), None)
        update = story.update("We found the cause.", status="identified")
        api.script(None, "lost")
        with pytest.raises(PublishError):  # the lost answer; the retry below recovers the reply
            deliver(forum, update, thread)
        _, thread = deliver(forum, update, thread)
        _, thread = deliver(forum, story.resolve(), thread)
        deliver(forum, story.edit(2, "We found the cause: a bad deploy."), thread)
        checked = [r for r in api.requests if not REDIRECT_TARGET.fullmatch(r.path)]
        for request in checked:
            check(request)
    kinds = {(r.method, re.sub(r"\d+", "N", r.path)) for r in checked}
    assert {("POST", "/posts.json"), ("PUT", "/posts/N.json"), ("PUT", "/t/-/N.json"), ("GET", "/t/N.json"),
            ("GET", "/posts/N.json"), ("GET", "/categories.json"),
            ("GET", "/t/external_id/herald-incident-N-N.json")} <= kinds

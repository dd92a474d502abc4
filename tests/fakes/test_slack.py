"""The fake Slack Web API answers only with keys that real Slack responses have."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient

from tests.fakes import slack as fake_slack
from tests.handlers.signed import REFS, keys_exist

FACTS = REFS / "web-api-key-facts.json"  # key trees derived from Slack's own recorded responses and spec


def spec_keys(method: str) -> dict[str, Any]:
    """The keys real Slack answers to `method` with (views.update answers as views.open does)."""
    responses = json.loads(FACTS.read_text())["responses"]
    return dict(responses["views.open" if method == "views.update" else method])


@pytest.mark.parametrize("method", ["auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral",
                                    "views.open", "views.update", "usergroups.users.list"])
def test_answers_have_real_keys(method: str) -> None:
    """Driven by the real slack_sdk client, every answer's keys exist in Slack's recorded responses."""
    fake, server = fake_slack.start({"S1": ["U1"]})
    try:
        client = WebClient(token="xoxb-test", base_url=fake.url + "/api/")
        params = {"channel": "C1", "text": "hi", "ts": "1.2", "user": "U1", "trigger_id": "t", "view_id": "V1",
                  "view": {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []},
                  "usergroup": "S1"}
        answer = client.api_call(method, json=params).data
        assert isinstance(answer, dict) and answer["ok"] is True
        keys_exist(answer, spec_keys(method))
        assert fake.of(method)
    finally:
        server.shutdown()

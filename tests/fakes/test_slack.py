"""The fake Slack Web API answers only with keys that real Slack responses have."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient

from tests.fakes import slack as fake_slack
from tests.handlers.signed import REFS, keys_exist

SAMPLES = REFS / "api"


def spec_keys(method: str) -> dict[str, Any]:
    """A merged response sample: from the java-sdk logs, or the OpenAPI example for usergroups.users.list."""
    sample = SAMPLES / f"{method}.json"
    if method in ("views.update",):
        sample = SAMPLES / "views.open.json"  # byte-identical upstream (refs/README.md)
    if sample.exists():
        return dict(json.loads(sample.read_text()))
    spec = json.loads((REFS / "web_openapi_v2.subset.json").read_text())
    return dict(spec["paths"][f"/{method}"]["get"]["responses"]["200"]["schema"]["properties"])


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

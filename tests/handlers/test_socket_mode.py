"""Socket Mode (SLACK_APP_TOKEN): the same app answers a slash command over a WebSocket, no public URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.domain.models import Incident
from herald.web import create_web, start_background
from tests.fakes import slack_socket
from tests.fakes.slack import FakeSlack
from tests.handlers.signed import catalogue, keys_exist
from tests.support import make_env


@pytest.fixture
def socket_fake(fake: FakeSlack) -> Iterator[slack_socket.SocketFake]:
    """A fake Socket Mode endpoint handed out by the fake's apps.connections.open."""
    found = slack_socket.start()
    fake.socket_url = found.url
    yield found
    found.close()


def test_slash_command_over_socket_mode(database_url: str, tmp_path: Path, fake: FakeSlack,
                                        socket_fake: slack_socket.SocketFake) -> None:
    """With an app token and no signing secret, `/incident open` arrives as an envelope and is acked with the reply."""
    env = make_env(database_url, tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-test",
                   SLACK_API_URL=fake.url + "/api/", HERALD_ALLOWED_USERS="U_ALLOWED")
    web = create_web(load_config(env))
    stops = start_background(load_config(env), web)
    try:
        payload = {"token": "t", "team_id": "T00000000", "team_domain": "herald-test", "channel_id": "C_SOCK",
                   "channel_name": "ops", "user_id": "U_ALLOWED", "user_name": "allowed", "command": "/incident",
                   "text": "open Socket declared -m Over the socket", "api_app_id": "A00000000",
                   "response_url": fake.url + "/r/socket/1", "trigger_id": "trigger-sock",
                   "is_enterprise_install": "false"}
        keys_exist(payload, catalogue("slash-commands/SlashCommandPayload.json"))
        socket_fake.send({"envelope_id": "env-1", "type": "slash_commands", "payload": payload,
                          "accepts_response_payload": True})
        answer = socket_fake.wait_for("env-1")
        assert answer["payload"]["response_type"] == "ephemeral"
        assert "Socket declared" in answer["payload"]["text"]
        socket_fake.send({"envelope_id": "env-2", "type": "slash_commands", "payload": payload,
                          "accepts_response_payload": True, "retry_attempt": 1, "retry_reason": "timeout"})
        assert socket_fake.wait_for("env-2")["payload"] == answer["payload"]  # a re-sent envelope: same answer
        with web.extensions["herald"].core.sessions() as session:
            assert session.query(Incident).filter_by(title="Socket declared").count() == 1
        forged = web.test_client().post("/slack/events", data={"command": "/incident", "user_id": "U_ALLOWED",
                                                                "text": "open Forged over HTTP", "trigger_id": "t"})
        assert forged.status_code == 401  # no signing secret: HTTP requests cannot be trusted at all
    finally:
        for stop in stops:
            stop()
        web.extensions["herald"].slack.shutdown()

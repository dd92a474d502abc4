"""Signed Slack requests built from Slack's own payload catalogues (tests/handlers/refs/slack/app-backend).

Each payload uses only keys that exist in the catalogue (checked here), so handlers can rely only on
keys real Slack sends. Requests are signed with real HMAC-SHA256 as Slack signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

REFS = Path(__file__).parent / "refs" / "slack"  # copies of Slack's own files (MIT; see refs/README.md)
CATALOGUE = REFS / "app-backend"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's documentation example secret, not a credential


def catalogue(name: str) -> dict[str, Any]:
    """One of Slack's payload key catalogues."""
    return dict(json.loads((CATALOGUE / name).read_text()))


def keys_exist(payload: Any, reference: Any, where: str = "") -> None:
    """Fail if `payload` has a key (at any depth of dicts and lists) that the reference does not."""
    if isinstance(payload, dict) and isinstance(reference, dict) and reference:
        for key, value in payload.items():
            assert key in reference, f"{where}.{key} is not a key Slack sends"
            keys_exist(value, reference[key], f"{where}.{key}")
    elif isinstance(payload, list) and isinstance(reference, list) and reference:
        for item in payload:
            keys_exist(item, reference[0], where + "[]")


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    """The X-Slack-Signature for `body` sent at `timestamp`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackClient:
    """Sends what Slack would send to a Herald server, and knows where response_url posts land."""

    server: str
    fake_url: str
    secret: str = SECRET
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def post(self, body: str, content_type: str = "application/x-www-form-urlencoded",
             timestamp: int | None = None, signature: str | None = None,
             extra: dict[str, str] | None = None) -> httpx.Response:
        """POST `body` to /slack/events, signed unless a signature is given ("" sends none)."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts), **(extra or {})}
        sig = sign(body, ts, self.secret) if signature is None else signature
        if sig:
            headers["X-Slack-Signature"] = sig
        return httpx.post(self.server + "/slack/events", content=body.encode(), headers=headers, timeout=20)

    def command_body(self, text: str, *, user: str, channel: str) -> str:
        """The form a `/incident TEXT` arrives as."""
        n = next(self.ids)
        form = {"token": "verification-token", "api_app_id": "A00000000", "team_id": "T00000000",
                "team_domain": "herald-test", "channel_id": channel, "channel_name": "ops", "user_id": user,
                "user_name": user.lower(), "command": "/incident", "text": text,
                "response_url": f"{self.fake_url}/r/command/{n}", "trigger_id": f"trigger-{n}",
                "is_enterprise_install": "false"}
        keys_exist(form, catalogue("slash-commands/SlashCommandPayload.json"))
        return urlencode(form)

    def command(self, text: str, *, user: str = "U_ALLOWED", channel: str = "C_OPS") -> httpx.Response:
        """Send `/incident TEXT` as `user` in `channel`."""
        return self.post(self.command_body(text, user=user, channel=channel))

    def action(self, action_id: str, value: str, *, user: str = "U_ALLOWED", channel: str = "C_OPS",
               message_ts: str = "1700000000.000001") -> httpx.Response:
        """Click a button (block_actions) on a message in `channel`."""
        return self.post(self.action_body(action_id, value, user=user, channel=channel, message_ts=message_ts))

    def action_body(self, action_id: str, value: str, *, user: str = "U_ALLOWED", channel: str = "C_OPS",
                    message_ts: str = "1700000000.000001") -> str:
        """The form a button click arrives as."""
        n = next(self.ids)
        payload = {
            "type": "block_actions", "team": {"id": "T00000000", "domain": "herald-test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T00000000"},
            "api_app_id": "A00000000", "token": "verification-token", "trigger_id": f"trigger-{n}",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": False},
            "channel": {"id": channel, "name": "ops"},
            "message": {"type": "message", "ts": message_ts, "text": "card", "bot_id": "B00000000"},
            "response_url": f"{self.fake_url}/r/action/{n}", "state": {"values": {}},
            "actions": [{"action_id": action_id, "block_id": "card", "value": value, "type": "button",
                         "action_ts": f"{time.time():.6f}", "text": {"type": "plain_text", "text": "x"}}],
            "is_enterprise_install": False,
        }
        keys_exist(payload, catalogue("interactive-components/BlockActionPayload.json"))
        return urlencode({"payload": json.dumps(payload)})

    def submit(self, callback_id: str, values: dict[str, Any], *, metadata: dict[str, Any],
               user: str = "U_ALLOWED") -> httpx.Response:
        """Submit a modal (view_submission) whose blocks hold `values` (see `element`)."""
        return self.post(self.submit_body(callback_id, values, metadata=metadata, user=user))

    def submit_body(self, callback_id: str, values: dict[str, Any], *, metadata: dict[str, Any],
                    user: str = "U_ALLOWED") -> str:
        """The form a modal submission arrives as."""
        n = next(self.ids)
        state = {block: {"value": element(value)} for block, value in values.items()}
        payload = {
            "type": "view_submission", "team": {"id": "T00000000", "domain": "herald-test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T00000000"},
            "api_app_id": "A00000000", "token": "verification-token", "trigger_id": f"trigger-{n}",
            "view": {"id": f"V{n:08d}", "team_id": "T00000000", "type": "modal", "callback_id": callback_id,
                     "private_metadata": json.dumps(metadata), "state": {"values": state},
                     "hash": "1700000000.abcdef", "app_id": "A00000000", "bot_id": "B00000000"},
            "is_enterprise_install": False,
        }
        keys_exist(payload, catalogue("views/ViewSubmissionPayload.json"))
        return urlencode({"payload": json.dumps(payload)})


def element(value: Any) -> dict[str, Any]:
    """A submitted input element: text → plain_text_input, ("one",) → static select, [..] → multi."""
    if isinstance(value, list):
        return {"type": "multi_static_select", "selected_options": [_option(v) for v in value]}
    if isinstance(value, tuple):
        return {"type": "static_select", "selected_option": _option(value[0]) if value else None}
    return {"type": "plain_text_input", "value": value}


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}

"""A webhook receiver on 127.0.0.1: every POST kept with its exact bytes; Standard Webhooks signatures
checked with the `standardwebhooks` package for the paths whose secret it was told (`expect`).

Paths shaped like Slack's (`/services/T…/B…/…`) answer `ok` and Discord's (`/api/webhooks/ID/TOKEN`) 204,
as those services do. Faults are the shared ones of tests.fakes (`5xx`, `slow`, `drop`, `lost`) and any
scripted Reply (a 410, a 307 redirect).
"""

from __future__ import annotations

import json
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.fakes import FakeServer, Recorded, Reply


class WebhookReceiver(FakeServer):
    """`received` lists (path, webhook-id, verified, body) for every message that was taken in."""

    def __init__(self, **faults: Any) -> None:
        super().__init__(**faults)
        self.secrets: dict[str, str] = {}
        self.received: list[tuple[str, str, bool, Any]] = []

    def expect(self, path: str, secret: str) -> str:
        """Check the signatures of messages to `path` with `secret`; returns the URL of `path`."""
        self.secrets[path] = secret
        return self.url + path

    def route(self, request: Recorded) -> Reply:
        body = json.loads(request.raw) if request.raw else None
        secret = self.secrets.get(request.path)
        verified = False
        if secret is not None:
            try:
                Webhook(secret).verify(request.raw, request.headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        self.received.append((request.path, request.headers.get("webhook-id", ""), verified, body))
        if request.path.startswith("/services/"):
            return Reply(200, "ok")
        if request.path.startswith("/api/webhooks/"):
            return Reply(204)
        return Reply(200, {"ok": True})

    def at(self, path: str) -> list[tuple[str, bool, Any]]:
        """(webhook-id, verified, body) of the messages taken in at `path`."""
        return [(i, v, b) for p, i, v, b in self.received if p == path]

"""A notifier lane: after each batch the incidents whose notices changed hear of it (the Slack receipts)."""

from __future__ import annotations

import pytest

from bot.commands import execute
from bot.core import Core
from bot.subscribers import lanes
from bot.text import grammar
from tests.bot.subscribers import kit
from tests.fakes.webhooks import WebhookReceiver


def test_hooks_hear_of_every_incident_recorded_during_the_batch(poster: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when every outcome was recorded as it came (no flush left for the end), the hooks are called."""
    monkeypatch.setattr(lanes, "FLUSH_EVERY", 0.0)  # record each outcome at once
    heard: list[int] = []
    poster.delivery_hooks.append(lambda core, incident_id: heard.append(incident_id))
    with WebhookReceiver() as hooks:
        kit.subscribe(poster, hooks.url + "/a")
        execute(poster, grammar.parse("open Checkout down"))
        kit.drain(poster, ["webhook"])
    assert heard == [1]

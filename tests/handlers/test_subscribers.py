"""Subscribers in Slack: `/incident subscribers` counts them; the receipts under the card say how each
update's notices went (`Subscribers: Webhooks 2 ✓ · 1 failed (1 subscriber disabled)`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.commands import execute
from bot.config import load_config
from bot.core import Core
from bot.domain.models import utcnow
from bot.store.db import transaction
from bot.subscribers import service
from bot.text import grammar
from handlers.messages import store
from herald.app import create_core
from tests.bot.subscribers import kit
from tests.fakes.slack import FakeSlack
from tests.fakes.webhooks import WebhookReceiver
from tests.handlers.test_receipts import last_receipts
from tests.serving import Served, ephemeral, slack_env
from tests.support import eventually


def test_subscribers_counts_per_channel_and_component(served: Served) -> None:
    """Anyone may ask: the reply counts active subscribers per channel, with the others, and per component."""
    with transaction(served.sessions) as session:
        for address, components in (("a@example.com", ()), ("b@example.com", ("app",)),
                                    ("https://93.184.216.34/h", ("app", "www"))):
            service.subscribe(session, address=address, components=components, now=utcnow(), confirmed=True)
        service.subscribe(session, address="c@example.com", now=utcnow())
    reply = ephemeral(served.slack.command("subscribers", user="U_NOBODY"))
    assert "Email: 2 active · 1 awaiting confirmation" in reply and "Webhooks: 1 active" in reply
    assert "every component 1 · app 2 · www 1" in reply


@pytest.fixture
def slack_core(database_url: str, tmp_path: Path, fake: FakeSlack) -> Iterator[Core]:
    """A core built as `herald worker` builds it, with Slack configured and webhooks allowed to 127.0.0.1."""
    env = slack_env(database_url, tmp_path, fake, HERALD_WEBHOOK_ALLOW_PRIVATE="1", HERALD_RETRY_BASE="0.01",
                    HERALD_RETRY_CAP="0.02", HERALD_MAX_ATTEMPTS="2")
    core = create_core(load_config(env))
    yield core
    core.engine.dispose()


def test_receipts_count_what_reached_subscribers(slack_core: Core, fake: FakeSlack) -> None:
    """After the lanes ran, the receipts under the card count the update's notices per channel, failures named."""
    with WebhookReceiver() as hooks:
        kit.subscribe(slack_core, hooks.url + "/one")
        kit.subscribe(slack_core, hooks.url + "/two")
        kit.subscribe(slack_core, hooks.url + "/broken")
        hooks.script(None, None, "5xx", "5xx")  # whichever endpoint comes third fails both of its attempts
        number = execute(slack_core, grammar.parse("open Receipts"), author="U1").incident.id  # type: ignore[union-attr]
        store(slack_core, number, slack_channel="C_REC", slack_card_ts="1700000000.000100")

        def receipts() -> str:
            kit.drain(slack_core, ["webhook"])
            text = last_receipts(slack_core, fake, number)[0]
            return text if "failed" in text else ""

        text = eventually(receipts, what="the receipts to show the failure")
    assert "Subscribers: Webhooks 2 ✓ · 1 failed (1 subscriber disabled)" in text

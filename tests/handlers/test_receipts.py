"""Receipts: a core delivery hook (in serve and worker alike) that redraws the reply under the card."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot import grammar
from bot.commands import execute
from bot.config import load_config
from bot.core import Core, build_core
from bot.db import transaction
from bot.models import Delivery
from handlers import receipts
from handlers.card import store
from tests.fakes.slack import FakeSlack
from tests.handlers.conftest import slack_env


@pytest.fixture
def core_with_slack(database_url: str, tmp_path: Path, fake: FakeSlack) -> Iterator[Core]:
    """A core built as `herald worker` builds it, with Slack configured."""
    env = slack_env(database_url, tmp_path, fake, HERALD_PUBLISHERS="statuspage,slack",
                    HERALD_SLACK_STATUS_CHANNEL="#status")
    core = build_core(load_config(env))
    yield core
    core.engine.dispose()


def set_state(core: Core, number: int, publisher: str, **values: object) -> None:
    """Record a delivery outcome as the worker would."""
    with transaction(core.sessions) as session:
        session.execute(update(Delivery).where(Delivery.incident_id == number, Delivery.publisher == publisher)
                        .values(**values))


def test_hook_draws_and_edits_receipts(core_with_slack: Core, fake: FakeSlack) -> None:
    """After each delivery outcome the threaded receipts show ✓, ✗ with the retry time, or a Retry button."""
    core = core_with_slack
    receipts.install(core)
    assert sum(getattr(h, "herald_receipts", False) for h in core.delivery_hooks) == 1
    number = execute(core, grammar.parse("open Receipts -m x"), author="U1").incident.id  # type: ignore[union-attr]
    store(core, number, slack_channel="C_REC", slack_card_ts="1700000000.999999")
    set_state(core, number, "statuspage", state="sent", url="https://status.example.test/incidents/1/")
    set_state(core, number, "slack", state="failed", last_error="429 ratelimited",
              next_attempt_at=datetime(2010, 9, 2, 21, 12, tzinfo=UTC))
    core.after_delivery(number)
    posted = [p for p in fake.of("chat.postMessage") if p.get("thread_ts") == "1700000000.999999"]
    assert posted[-1]["text"] == ("Update 1: Status page ✓ <https://status.example.test/incidents/1/|link> · "
                                  "Slack ✗ 429 ratelimited, retrying 2010-09-02 14:12 PDT (21:12 UTC)")
    set_state(core, number, "slack", state="dead", attempts=8)
    core.after_delivery(number)
    edited = [u for u in fake.of("chat.update") if "gave up after 8 attempts" in u["text"]]
    assert edited and '"receipts_retry"' in str(edited[-1]["blocks"]).replace("'", '"')


def test_no_card_no_receipts(core_with_slack: Core, fake: FakeSlack) -> None:
    """An incident declared from the CLI has no card, so a delivery outcome posts nothing to Slack."""
    before = len(fake.calls)
    number = execute(core_with_slack, grammar.parse("open CLI only -m x"), author="cli").incident.id  # type: ignore[union-attr]
    core_with_slack.after_delivery(number)
    assert len(fake.calls) == before


def test_changes_made_outside_slack_edit_the_card(core_with_slack: Core, fake: FakeSlack) -> None:
    """An update from the CLI (or the scheduler) edits the card once, when its delivery outcome arrives."""
    core = core_with_slack
    number = execute(core, grammar.parse("open Card follows -m x"), author="U1").incident.id  # type: ignore[union-attr]
    store(core, number, slack_channel="C_FOLLOW", slack_card_ts="1700000000.888888")
    execute(core, grammar.parse(f"update {number} -s monitoring -m From the terminal"), author="cli")
    core.after_delivery(number)
    core.after_delivery(number)
    edits = [u for u in fake.of("chat.update") if u["ts"] == "1700000000.888888"]
    assert len(edits) == 1 and "From the terminal" in str(edits[0]["blocks"]) and "Monitoring" in edits[0]["text"]

"""Receipts: a core delivery hook (wired by herald.app in serve and worker alike) that redraws the reply under
the card."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.commands import execute
from bot.config import load_config
from bot.core import Core
from bot.domain.models import Delivery, Incident
from bot.store.db import transaction
from bot.text import grammar
from handlers.messages import store
from herald.app import create_core
from tests.fakes.slack import FakeSlack
from tests.serving import slack_env


@pytest.fixture
def core_with_slack(database_url: str, tmp_path: Path, fake: FakeSlack) -> Iterator[Core]:
    """A core built as `herald worker` builds it, with Slack configured."""
    env = slack_env(database_url, tmp_path, fake, HERALD_PUBLISHERS="statuspage,slack",
                    HERALD_SLACK_STATUS_CHANNEL="#status")
    core = create_core(load_config(env))
    yield core
    core.engine.dispose()


def set_state(core: Core, number: int, publisher: str, **values: object) -> None:
    """Record a delivery outcome as the worker would."""
    with transaction(core.sessions) as session:
        session.execute(update(Delivery).where(Delivery.incident_id == number, Delivery.publisher == publisher)
                        .values(**values))


def last_receipts(core: Core, fake: FakeSlack, number: int) -> tuple[str, str]:
    """The text and blocks of incident `number`'s receipts as last posted or edited under its card."""
    with core.sessions() as session:
        found = session.get(Incident, number)
        assert found is not None and found.slack_receipts_ts
        card_ts, receipts_ts = found.slack_card_ts, found.slack_receipts_ts
    posted = [p for p in fake.of("chat.postMessage") if p.get("thread_ts") == card_ts]
    edits = [u for u in fake.of("chat.update") if u["ts"] == receipts_ts]
    last = (posted + edits)[-1]
    return last["text"], str(last["blocks"]).replace("'", '"')


def test_hook_draws_and_edits_receipts(core_with_slack: Core, fake: FakeSlack) -> None:
    """After each delivery outcome the threaded receipts show ✓, ✗ with the retry time, or a Retry button."""
    core = core_with_slack
    assert [h.__name__ for h in core.delivery_hooks] == ["redraw_card_and_receipts"]  # wired once
    number = execute(core, grammar.parse("open Receipts -m x"), author="U1").incident.id  # type: ignore[union-attr]
    store(core, number, slack_channel="C_REC", slack_card_ts="1700000000.999999")
    set_state(core, number, "statuspage", state="sent", url="https://status.example.test/incidents/1/")
    set_state(core, number, "slack", state="pending", last_error="429 ratelimited", attempts=1,
              next_attempt_at=datetime(2010, 9, 2, 21, 12, tzinfo=UTC))
    core.after_delivery(number)
    text, blocks = last_receipts(core, fake, number)
    assert text == ("Update 1: Status page ✓ <https://status.example.test/incidents/1/|link> · "
                    "Slack ✗ 429 ratelimited, retrying 2010-09-02 14:12 PDT (21:12 UTC)")
    assert "receipts_retry" not in blocks  # nothing for a person to do yet
    set_state(core, number, "slack", state="dead", attempts=8)
    core.after_delivery(number)
    text, blocks = last_receipts(core, fake, number)
    assert "Slack ✗ 429 ratelimited: gave up after 8 attempts" in text and '"receipts_retry"' in blocks


def test_each_state_has_its_true_words(core_with_slack: Core, fake: FakeSlack) -> None:
    """Queued reads "queued", a retrying delivery never reads "queued", a failed one never reads "retrying"
    and gets a Retry button."""
    core = core_with_slack
    number = execute(core, grammar.parse("open Words -m x"), author="U1").incident.id  # type: ignore[union-attr]
    store(core, number, slack_channel="C_REC", slack_card_ts="1700000000.777777")
    core.after_delivery(number)
    text, blocks = last_receipts(core, fake, number)
    assert text == "Update 1: Status page … queued · Slack … queued" and "receipts_retry" not in blocks
    set_state(core, number, "slack", state="pending", last_error="503 service_unavailable", attempts=2,
              next_attempt_at=datetime(2010, 9, 2, 21, 12, tzinfo=UTC))
    core.after_delivery(number)
    text, _ = last_receipts(core, fake, number)
    assert "Slack ✗ 503 service_unavailable, retrying 2010-09-02 14:12 PDT" in text and "Slack … queued" not in text
    set_state(core, number, "slack", state="failed", last_error="200 invalid_auth", attempts=1)
    core.after_delivery(number)
    text, blocks = last_receipts(core, fake, number)
    assert "Slack ✗ 200 invalid_auth: refused, not retried" in text and "retrying" not in text
    assert '"receipts_retry"' in blocks


def test_an_earlier_failure_stays_in_sight_with_its_retry_button(core_with_slack: Core, fake: FakeSlack) -> None:
    """When update 1 failed on a channel and update 2 went on, the receipts show both, with Retry."""
    core = core_with_slack
    number = execute(core, grammar.parse("open Earlier -m x"), author="U1").incident.id  # type: ignore[union-attr]
    store(core, number, slack_channel="C_REC", slack_card_ts="1700000000.666666")
    set_state(core, number, "slack", state="failed", last_error="the forum refused it (422): too similar")
    set_state(core, number, "statuspage", state="sent", url="https://status.example.test/incidents/1/")
    execute(core, grammar.parse(f"update {number} -m Second"), author="U1")
    with transaction(core.sessions) as session:
        session.execute(update(Delivery).where(Delivery.incident_id == number, Delivery.state == "pending")
                        .values(state="sent", url="https://status.example.test/incidents/1/#u2"))
    core.after_delivery(number)
    text, blocks = last_receipts(core, fake, number)
    lines = text.split("\n")
    assert lines[0].startswith("Update 2: Status page ✓") and "Slack ✓" in lines[0]
    assert lines[1] == "Update 1: Slack ✗ the forum refused it (422): too similar: refused, not retried"
    assert '"receipts_retry"' in blocks


def test_no_card_no_receipts(core_with_slack: Core, fake: FakeSlack) -> None:
    """An incident declared from the CLI has no card, so a delivery outcome posts nothing to Slack — because
    there is nothing to draw, not because a hook crashed (a failing hook is counted, never hidden)."""
    before = len(fake.calls)
    number = execute(core_with_slack, grammar.parse("open CLI only -m x"), author="cli").incident.id  # type: ignore[union-attr]
    core_with_slack.after_delivery(number)
    assert len(fake.calls) == before
    assert core_with_slack.hook_failures == {}


def test_a_failing_hook_is_counted_and_deliveries_go_on(core_with_slack: Core, fake: FakeSlack) -> None:
    """When Slack refuses to draw the receipts, the hook failure is logged and counted, and nothing is raised."""
    core = core_with_slack
    number = execute(core, grammar.parse("open Hook fails -m x"), author="U1").incident.id  # type: ignore[union-attr]
    store(core, number, slack_channel="C_HOOK", slack_card_ts="1700000000.555555")
    fake.fail("chat.postMessage", "channel_not_found")
    try:
        core.after_delivery(number)  # must not raise
    finally:
        fake.failures.pop("chat.postMessage")
    assert core.hook_failures == {"redraw_card_and_receipts": 1}


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

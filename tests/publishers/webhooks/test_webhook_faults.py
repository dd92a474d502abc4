"""Webhooks to a failing receiver: 500s, timeouts, dropped and lost answers, 410, the retry limit."""

from __future__ import annotations

from collections import Counter

from bot.commands import execute
from bot.core import Core
from bot.text import grammar
from tests.bot.subscribers import kit
from tests.fakes import Reply
from tests.fakes.webhooks import WebhookReceiver
from tests.support import eventually


def run(core: Core, text: str) -> None:
    execute(core, grammar.parse(text), author="U1")


def settle(core: Core) -> None:
    eventually(lambda: kit.drain(core) == 0 and not kit.rows(core, state="pending"), timeout=60,
               what="every notice settled")


def test_faults_end_in_one_message_per_update_and_endpoint(poster: Core, hooks: WebhookReceiver) -> None:
    """With 500s, timeouts, dropped and lost answers at random, every (update, subscriber) ends sent, and the
    receiver, keeping the webhook-ids it has seen, takes each message exactly once."""
    hooks.faults.rate, hooks.faults.kinds = 0.3, ("5xx", "slow", "drop", "lost")
    hooks.script("5xx", "slow", "drop", "lost")  # each kind at least once, then at random
    paths = [f"/hook{n}" for n in range(8)]
    for path in paths:
        hooks.expect(path, kit.subscribe(poster, hooks.url + path).secret or "")
    run(poster, "open Checkout down")
    run(poster, "update 1 -s identified Found it.")
    settle(poster)
    rows = kit.rows(poster)
    assert len(rows) == 16 and {r.state for r in rows} == {"sent"}
    taken = Counter((path, msg_id) for path, msg_id, verified, _ in hooks.received if verified)
    assert len(taken) == 16 and {p for p, _ in taken} == set(paths)
    assert sum(taken.values()) - len(taken) <= hooks.faults.injected.count("slow") + hooks.faults.injected.count("lost")
    assert {"5xx", "slow", "drop", "lost"} <= set(hooks.faults.injected)


def test_410_gone_disables_the_subscriber(poster: Core, hooks: WebhookReceiver) -> None:
    """An endpoint answering 410 Gone is disabled at once and gets nothing more."""
    kit.subscribe(poster, hooks.url + "/gone")
    hooks.script(Reply(410, {"error": "gone"}))
    run(poster, "open Checkout down")
    settle(poster)
    assert kit.subscriber(poster, hooks.url + "/gone").disabled_at is not None
    run(poster, "update 1 More.")
    settle(poster)
    assert len(hooks.requests) == 1


def test_an_endpoint_failing_past_the_retry_limit_is_disabled(poster: Core, hooks: WebhookReceiver) -> None:
    """After HERALD_MAX_ATTEMPTS failures the notice is dead and the subscriber disabled, with the reason kept."""
    kit.subscribe(poster, hooks.url + "/down")
    hooks.script(*["5xx"] * poster.config.max_attempts)
    run(poster, "open Checkout down")
    settle(poster)
    [row] = kit.rows(poster)
    assert row.state == "dead" and row.attempts == poster.config.max_attempts
    down = kit.subscriber(poster, hooks.url + "/down")
    assert down.disabled_at is not None and "503" in (down.disabled_reason or "")


def test_a_notice_that_raises_is_reported_with_its_error(poster: Core, hooks: WebhookReceiver) -> None:
    """A notice whose sending raises (here: a secret that is not base64) is retried and, at the limit, dead
    with the error named: it is never lost silently in the thread pool."""
    from sqlalchemy import update  # only this test edits a row by hand

    from bot.store import db
    from bot.subscribers.models import Subscriber

    kit.subscribe(poster, hooks.url + "/bad-secret")
    with db.transaction(poster.sessions) as session:
        session.execute(update(Subscriber).values(secret="whsec_not*base64"))
    run(poster, "open Checkout down")
    settle(poster)
    [row] = kit.rows(poster)
    assert row.state == "dead" and "Error" in (row.last_error or "") and "did not report" not in (row.last_error or "")
    assert hooks.requests == []

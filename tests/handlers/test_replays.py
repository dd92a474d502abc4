"""The same Slack request has its effect once and gets the first answer again (SPEC §6, issue 12 item 3)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.core import Core
from bot.domain.models import SlackRequest, Update, utcnow
from bot.store import db, replays
from tests.fakes.slack import FakeSlack
from tests.handlers.signed import SlackClient
from tests.handlers.test_commands import incident, opened
from tests.handlers.test_modals import response_posts
from tests.serving import Served, database, slack_env, start_server, stop_server
from tests.support import eventually


def updates(served: Served, number: int) -> int:
    """How many updates incident `number` has."""
    with served.sessions() as session:
        return int(session.scalar(select(func.count()).where(Update.incident_id == number)) or 0)


def sent_three_ways(client: SlackClient, raw: str) -> list[httpx.Response]:
    """`raw` signed 2 s ago; the same bytes and signature again (a replay); and as Slack re-sends it, signed
    now with X-Slack-Retry-Num."""
    two_seconds_ago = int(time.time()) - 2
    first = client.post(raw, timestamp=two_seconds_ago)
    replayed = client.post(raw, timestamp=two_seconds_ago)
    retried = client.post(raw, extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    return [first, replayed, retried]


def assert_answered_alike(responses: list[httpx.Response]) -> None:
    """Every response is the first one: same status, same body."""
    first = responses[0]
    assert first.status_code == 200
    for response in responses[1:]:
        assert (response.status_code, response.content) == (first.status_code, first.content)


def test_a_replayed_slash_command_saves_one_update(served: Served) -> None:
    """A signed `/incident update` sent again byte for byte, and again as Slack's retry, saves one update and
    answers each time with the first reply."""
    number = opened(served, "Replay a command -m First")
    raw = served.slack.command_body(f"update {number} -m Said once", user="U_ALLOWED", channel="C_OPS")
    responses = sent_three_ways(served.slack, raw)
    assert_answered_alike(responses)
    assert "Saved update 2" in responses[0].json()["text"]
    assert updates(served, number) == 2
    again = served.slack.command(f"update {number} -m Said once")  # typed again: a new request
    assert "Saved update 3" in again.json()["text"]


def test_a_resubmitted_modal_saves_one_update(served: Served) -> None:
    """The same Update modal submission (same view id, hash and values) sent again saves one update."""
    number = opened(served, "Replay a modal -m First")
    raw = served.slack.submit_body("update", {"status": ("identified",), "message": "From the modal once"},
                                   metadata={"channel": "C_OPS", "incident": number})
    assert_answered_alike(sent_three_ways(served.slack, raw))
    assert updates(served, number) == 2 and incident(served, number).status == "identified"


def test_a_double_click_publishes_one_update(served: Served) -> None:
    """"Still investigating" clicked twice (the same action_ts, then a second click of its own) posts one
    update, and only the first click answers through response_url."""
    number = opened(served, "Replay a click -m First")
    raw = served.slack.action_body("reminder_continue", str(number), message_ts="1700000000.424242")
    assert_answered_alike(sent_three_ways(served.slack, raw))
    served.slack.action("reminder_continue", str(number), message_ts="1700000000.424242")
    assert updates(served, number) == 2
    raw = served.slack.action_body("card_resolve", str(number))
    assert_answered_alike(sent_three_ways(served.slack, raw))
    assert eventually(lambda: incident(served, number).status == "resolved") and updates(served, number) == 3
    path = raw.split("%2Fr%2Faction%2F", 1)[1].split("%22", 1)[0]
    time.sleep(0.3)  # a second answer, if any, would be posted right after the first
    assert len([p for p in response_posts(served, "action") if p["_path"] == f"/r/action/{path}"]) == 1


def test_replays_in_flight_at_once_run_once(served: Served) -> None:
    """Five copies of one command arriving together (the first still running) save one update."""
    number = opened(served, "Replay at once -m First")
    raw = served.slack.command_body(f"update {number} -m Only once", user="U_ALLOWED", channel="C_OPS")
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda _: served.slack.post(raw), range(5)))
    assert all(r.status_code == 200 for r in responses)
    assert updates(served, number) == 2
    texts = {r.json()["text"] for r in responses if r.content}
    assert len(texts) == 1 and "Saved update 2" in texts.pop()


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory, fake: FakeSlack) -> Iterator[str]:
    """A Herald with two gunicorn worker processes (WEB_CONCURRENCY=2) on one database; its URL."""
    tmp = tmp_path_factory.mktemp("two-workers")
    for url in database(tmp):
        base, process, _log = start_server(slack_env(url, tmp, fake, WEB_CONCURRENCY="2"), tmp)
        try:
            yield base
        finally:
            stop_server(process)


def test_replays_are_caught_across_web_processes(two_workers: str, fake: FakeSlack) -> None:
    """Twenty copies of one command spread over two web processes save one incident."""
    client = SlackClient(two_workers, fake.url)
    raw = client.command_body("open Across processes -m once", user="U_ANYONE", channel="C_OPS")
    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda _: client.post(raw), range(20)))
    texts = {r.json()["text"] for r in responses if r.content}
    assert len(texts) == 1 and "Saved update 1" in texts.pop()
    listed = client.command("list all", user="U_ANYONE").json()["text"]
    assert listed.count("Across processes") == 1


def test_keys_expire_after_an_hour(core: Core) -> None:
    """A key is answered from the store while it lives, and purged once an hour has passed."""
    start = utcnow() - timedelta(minutes=61)
    assert replays.begin(core, "slack:old", now=start) is None
    replays.finish(core, "slack:old", replays.Answer(200, "first", "text/plain"))
    assert replays.begin(core, "slack:old", now=start + timedelta(minutes=59)) == replays.Answer(200, "first",
                                                                                             "text/plain")
    assert replays.begin(core, "slack:new") is None
    assert replays.purge(core, now=utcnow()) == 1
    with db.transaction(core.sessions) as session:
        assert session.get(SlackRequest, "slack:old") is None and session.get(SlackRequest, "slack:new")

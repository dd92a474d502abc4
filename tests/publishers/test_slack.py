"""The Slack status-channel publisher against the fake Slack Web API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.commands import execute
from bot.config import load_config
from bot.core import Core
from bot.domain.snapshots import Event, ThreadView, incident_view, update_view
from bot.plugins.contract import PublishError
from bot.text import grammar
from herald.app import create_core
from publishers.slack import SlackPublisher
from tests.bot.text.test_mrkdwn import BROADCASTS, assert_inert
from tests.fakes import slack as fake_slack
from tests.handlers.signed import REFS
from tests.support import make_env


@pytest.fixture
def fake() -> Iterator[fake_slack.FakeSlack]:
    """A fresh fake Slack for one test."""
    found, server = fake_slack.start()
    yield found
    server.shutdown()


@pytest.fixture
def slack_core(database_url: str, tmp_path: Path, fake: fake_slack.FakeSlack) -> Iterator[Core]:
    """A core whose only channels are the status page and the Slack status channel."""
    env = make_env(database_url, tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake.url + "/api/",
                   HERALD_SLACK_STATUS_CHANNEL="#status", HERALD_PUBLISHERS="slack")
    core = create_core(load_config(env))
    yield core
    core.engine.dispose()


def event(core: Core, number: int, update: int = 1) -> Event:
    """The publishable event for update `update` of incident `number`."""
    with core.sessions() as session:
        from bot.domain.models import Incident

        incident = session.get(Incident, number)
        assert incident is not None
        u = incident.updates[update - 1]
        return Event(incident_view(incident, core.config.public_url), update_view(u), u.revision)


def publisher(core: Core) -> SlackPublisher:
    """The registry's Slack publisher."""
    found = core.registry.get("slack")
    assert isinstance(found, SlackPublisher)
    return found


def test_announces_and_corrects_in_place(slack_core: Core, fake: fake_slack.FakeSlack) -> None:
    """An update is posted to the status channel as escaped mrkdwn; a correction edits that message."""
    outcome = execute(slack_core, grammar.parse("open DB <b>slow</b> -m **Now** <@U1> checking &amp; more"))
    number = outcome.incident.id if outcome.incident else 0
    pub = publisher(slack_core)
    rendered = pub.render(event(slack_core, number))
    assert "*Now*" in rendered.text and "&lt;b&gt;slow&lt;/b&gt;" in rendered.text and " PST (" in rendered.text
    receipt = pub.publish(event(slack_core, number), rendered, None)
    posted = fake.of("chat.postMessage")[-1]
    assert posted["channel"] == "#status" and posted["text"] == rendered.text
    execute(slack_core, grammar.parse(f"edit {number} -m Fixed text"))
    thread = ThreadView("slack", receipt.thread_first_id, receipt.thread_last_id, None, receipt.thread_data)
    correction = event(slack_core, number)
    pub.publish(correction, pub.render(correction), thread)
    edited = fake.of("chat.update")[-1]
    assert edited["ts"] == receipt.external_id and "Correction" in edited["text"] and "Fixed text" in edited["text"]


def test_announcement_cannot_broadcast_mention_or_phish(slack_core: Core, fake: fake_slack.FakeSlack) -> None:
    """Issue 12's payloads in a stored body (from the CLI, unconverted) reach the status channel as words,
    and a URL-labelled link as its real target."""
    text = f"{BROADCASTS} [https://status.example.com](https://evil.example/phish) <!channel>"
    outcome = execute(slack_core, grammar.parse(f"open Announce -m {text}"))
    ev = event(slack_core, outcome.incident.id if outcome.incident else 0)
    pub = publisher(slack_core)
    pub.publish(ev, pub.render(ev), None)
    posted = fake.of("chat.postMessage")[-1]
    assert_inert(posted["text"])
    assert "everyone" in posted["text"] and "<https://evil.example/phish>" in posted["text"]
    assert not {"link_names", "parse"} & set(posted)


def test_errors_are_classified(slack_core: Core, fake: fake_slack.FakeSlack) -> None:
    """A 429 is retried after Retry-After; a missing channel needs a person."""
    outcome = execute(slack_core, grammar.parse("open Err -m x"))
    ev = event(slack_core, outcome.incident.id if outcome.incident else 0)
    pub = publisher(slack_core)
    fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"})
    with pytest.raises(PublishError) as limited:
        pub.publish(ev, pub.render(ev), None)
    assert limited.value.retryable and limited.value.retry_after == 7.0 and not limited.value.unknown
    fake.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(PublishError) as missing:
        pub.publish(ev, pub.render(ev), None)
    assert not missing.value.retryable and "channel_not_found" in missing.value.message


def test_sent_parameters_exist_in_slack_spec(slack_core: Core, fake: fake_slack.FakeSlack) -> None:
    """Every parameter sent to chat.postMessage and chat.update is one Slack's OpenAPI spec declares."""
    spec = json.loads((REFS / "web_openapi_v2.subset.json").read_text())
    outcome = execute(slack_core, grammar.parse("open Spec -m x"))
    ev = event(slack_core, outcome.incident.id if outcome.incident else 0)
    publisher(slack_core).publish(ev, publisher(slack_core).render(ev), None)
    declared = {p["name"] for p in spec["paths"]["/chat.postMessage"]["post"]["parameters"]}
    assert set(fake.of("chat.postMessage")[-1]) <= declared

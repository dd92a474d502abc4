"""Webhook subscribers: signed Statuspage-shaped bodies checked by `standardwebhooks` on a receiver on
127.0.0.1, their keys compared with real Statuspage captures; Slack and Discord get native messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.commands import execute
from bot.core import Core
from bot.text import grammar
from tests.bot.subscribers import kit
from tests.fakes.webhooks import WebhookReceiver

REFS = Path(__file__).parent / "refs" / "statuspage"


def capture(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((REFS / f"webhook-{name}.json").read_text())
    return found


def keys(value: Any, path: str = "") -> set[str]:
    """Every key path of a JSON value (`incident.incident_updates[].affected_components[].code`)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            found |= {f"{path}.{key}"} | keys(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            found |= keys(inner, f"{path}[]")
    return found


def run(core: Core, text: str) -> None:
    execute(core, grammar.parse(text), author="U1")


def subscribe_hook(core: Core, hooks: WebhookReceiver, path: str, *components: str) -> str:
    done = kit.subscribe(core, hooks.url + path, *components)
    assert done.secret and done.secret.startswith("whsec_")
    return hooks.expect(path, done.secret)


def test_bodies_are_signed_and_shaped_like_statuspages(poster: Core, hooks: WebhookReceiver) -> None:
    """Each update is one POST verified by standardwebhooks, with exactly the keys of Statuspage's captures."""
    subscribe_hook(poster, hooks, "/hook")
    run(poster, "open Database query delays -c app -m Queries time out.")
    run(poster, "resolve 1 -m The database issue is resolved.")
    kit.drain(poster)
    incidents = [m for m in hooks.at("/hook") if "incident" in m[2]]
    (first_id, first_ok, created), (second_id, second_ok, updated) = incidents
    assert first_ok and second_ok and first_id != second_id
    assert keys(created) == keys(capture("incident-created"))
    assert keys(updated) == keys(capture("incident-update"))
    assert [u["body"] for u in updated["incident"]["incident_updates"]] == [
        "The database issue is resolved.", "Queries time out."]
    assert updated["incident"]["status"] == "resolved" and created["incident"]["status"] == "investigating"
    assert created["meta"]["unsubscribe"].startswith("https://status.example.test/unsubscribe?token=")


def test_a_component_move_also_sends_a_component_update(poster: Core, hooks: WebhookReceiver) -> None:
    """An update that moves a component the subscriber follows sends a `component_update` body as well."""
    subscribe_hook(poster, hooks, "/app-only", "app")
    run(poster, "open Checkout down -c app:major_outage")
    kit.drain(poster)
    bodies = [b for _, ok, b in hooks.at("/app-only") if ok]
    assert [sorted(b) for b in bodies] == [["incident", "meta", "page"],
                                           ["component", "component_update", "meta", "page"]]
    assert keys(bodies[1]) == keys(capture("component-update"))
    assert bodies[1]["component_update"]["new_status"] == "major_outage" and bodies[1]["component"]["name"] == "app"


def test_slack_and_discord_urls_get_native_messages(poster: Core, hooks: WebhookReceiver) -> None:
    """A Slack incoming-webhook URL gets `text` and blocks, a Discord one an embed; neither is signed."""
    kit.subscribe(poster, hooks.url + "/services/T0001/B0002/abcdef")
    kit.subscribe(poster, hooks.url + "/api/webhooks/1234/tok-en")
    run(poster, "open Checkout <@U123> down -m Looking <!channel>")
    kit.drain(poster)
    [(slack_id, _, slack)] = hooks.at("/services/T0001/B0002/abcdef")
    [(discord_id, _, discord)] = hooks.at("/api/webhooks/1234/tok-en")
    assert not slack_id and not discord_id  # native messages carry no Standard Webhooks headers
    assert "Checkout" in slack["text"] and slack["blocks"][0]["type"] == "section"
    assert "<!channel>" not in json.dumps(slack)
    assert discord["allowed_mentions"] == {"parse": []} and "Checkout" in discord["embeds"][0]["title"]
    assert {r.state for r in kit.rows(poster)} == {"sent"}


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook"])
def test_a_redirect_to_a_link_local_address_is_refused(poster: Core, hooks: WebhookReceiver, target: str) -> None:
    """A 307 to a cloud metadata address is not followed, even with private networks allowed: the notice fails."""
    from tests.fakes import Reply  # the scripted answer of the receiver

    subscribe_hook(poster, hooks, "/moved")
    hooks.script(Reply(307, None, {"Location": target}))
    run(poster, "open Checkout down")
    kit.drain(poster)
    [row] = kit.rows(poster)
    assert row.state == "failed" and "link-local" in (row.last_error or "")
    assert len(hooks.requests) == 1


def test_a_307_to_a_good_address_is_followed_with_the_same_signed_body(poster: Core, hooks: WebhookReceiver) -> None:
    """A 307 redirect to another allowed URL is followed once, keeping the POST and its signature."""
    from tests.fakes import Reply  # the scripted answer of the receiver

    secret = kit.subscribe(poster, hooks.url + "/old").secret
    assert secret
    hooks.expect("/new", secret)
    hooks.script(Reply(307, None, {"Location": "/new"}))
    run(poster, "open Checkout down")
    kit.drain(poster)
    [(msg_id, verified, _)] = hooks.at("/new")
    assert verified and msg_id.startswith("msg_herald_")

"""Running a command from Slack: allow-list, public text, commit, the card after the response; and the reply."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from slack_sdk.webhook import WebhookClient

from bot.commands import Outcome, execute
from bot.subscribers import notifiers
from bot.text import grammar as g
from bot.text.mrkdwn import to_markdown, to_plain
from bot.text.templating import render
from handlers import card, receipts

if TYPE_CHECKING:
    from handlers.context import Asker, SlackApp

READING = (g.Help, g.ListIncidents, g.Show, g.Components, g.Preview, g.Subscribers)
TEMPLATES = {"help": "help", "list": "list", "components": "components", "show": "show", "retry": "retry",
             "subscribers": "subscribers"}


def is_reading(command: g.Command) -> bool:
    """True for commands anyone may run: they write and publish nothing."""
    return isinstance(command, READING) or bool(getattr(command, "dry_run", False))


def public(command: g.Command) -> g.Command:
    """The command with its Slack mrkdwn turned into public Markdown (message) or plain text (title)."""
    changes: dict[str, Any] = {}
    message, title = getattr(command, "message", None), getattr(command, "title", None)
    if isinstance(message, str):
        changes["message"] = to_markdown(message)
    if isinstance(title, str):
        changes["title"] = to_plain(title)
    return dataclasses.replace(command, **changes) if changes else command


def run(app: SlackApp, command: g.Command, asker: Asker, *, channel: str | None = None) -> Outcome:
    """Check the allow-list, commit the command, and queue the card update for after the response.

    The card goes to `channel` (default: where the person asked from)."""
    if not is_reading(command):
        asker.require_publisher()
    outcome = execute(app.core, public(command), author=asker.user)
    if outcome.incident is not None and not outcome.dry_run and outcome.update_number is not None:
        card.schedule(app, outcome.incident.id, channel or asker.channel)
    elif isinstance(command, g.Retry) and outcome.requeued:
        app.later(receipts.draw, app.core, app.client, command.incident)
    return outcome


def reply(app: SlackApp, outcome: Outcome) -> str:
    """The ephemeral text that tells the person what happened."""
    name = "preview" if outcome.dry_run else TEMPLATES.get(outcome.action, "published")
    return render(app.core.templates, f"slack/{name}.j2", o=outcome, labels=app.core.registry.labels(),
                  latest=receipts.latest, notifiers=notifiers.labels())


def respond_later(app: SlackApp, response_url: str | None, text: str, *, replace: bool = False) -> None:
    """Post an ephemeral reply to `response_url` after the HTTP response."""
    if response_url:
        payload = {"response_type": "ephemeral", "text": text, "replace_original": replace}
        app.later(lambda: WebhookClient(response_url, timeout=15).send_dict(payload))

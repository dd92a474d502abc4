"""`/incident …`: parse the text with the shared grammar, run it, and answer in the HTTP response."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.text import grammar
from handlers import declare
from handlers import run as publish

if TYPE_CHECKING:
    from slack_bolt import Ack

    from herald.slack import SlackApp


def handler(app: SlackApp) -> Callable[..., None]:
    """The slash-command listener bound to `app`."""

    def handle_command(ack: Ack, command: dict[str, Any]) -> None:
        """Acknowledge with the result itself: nothing reaches the Web API before the response."""
        parsed = grammar.parse(command.get("text") or "")
        user, channel = command["user_id"], command.get("channel_id")
        if isinstance(parsed, grammar.OpenModal):
            app.allow.check(user=user, channel=channel, app=app)
            declare.open_modal(app, trigger_id=command["trigger_id"], channel=channel)
            ack()
            return
        outcome = publish.run(app, parsed, user=user, channel=channel)
        ack(text=publish.reply(app, outcome), response_type="ephemeral")

    return handle_command

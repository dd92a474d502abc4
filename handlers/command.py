"""`/incident …`: parse the text with the shared grammar, run it, and answer in the HTTP response."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.text import grammar
from handlers import declare
from handlers import run as publish

if TYPE_CHECKING:
    from slack_bolt import Ack, BoltContext

    from handlers.context import SlackApp


def handler(app: SlackApp) -> Callable[..., None]:
    """The slash-command listener bound to `app`."""

    def handle_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        """Acknowledge with the result itself: nothing reaches the Web API before the response."""
        parsed = grammar.parse(command.get("text") or "")
        asker = context["asker"]
        if isinstance(parsed, grammar.OpenModal):
            asker.require_publisher()
            declare.open_modal(app, trigger_id=command["trigger_id"], channel=asker.channel)
            ack()
            return
        outcome = publish.run(app, parsed, asker)
        ack(text=publish.reply(app, outcome), response_type="ephemeral")

    return handle_command

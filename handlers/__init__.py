"""Every Slack listener Herald has, registered in one place: `register(bolt, app)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import buttons, command, declare, errors, reminder_actions, update_modal

if TYPE_CHECKING:
    from slack_bolt import App

    from herald.slack import SlackApp


def register(bolt: App, app: SlackApp) -> None:
    """Attach the slash command, the card's buttons, the two modals and the one error handler."""
    bolt.command("/incident")(command.handler(app))
    bolt.view("declare")(declare.submission(app))
    bolt.action("card_update")(update_modal.opener(app))
    bolt.view("update")(update_modal.submission(app))
    bolt.action("card_resolve")(buttons.resolver(app))
    bolt.action("card_preview")(buttons.previewer(app))
    bolt.action("receipts_retry")(buttons.retrier(app))
    reminder_actions.register(bolt, app)  # the update-cadence reminder's three buttons (bot/schedule/cadence.py)
    bolt.error(errors.handler(app))

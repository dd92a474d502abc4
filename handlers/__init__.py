"""The whole Slack side. Every route Herald answers is listed in one place: `register(app)`.

The worker imports handlers.card and handlers.receipts (drawing the card and receipts after a
delivery) without Bolt; the listeners, which need Bolt, are imported by `register` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.context import SlackApp


def register(app: SlackApp) -> None:
    """Attach the middleware, the slash command, the card's buttons, the modals, the reminder's buttons and
    the one error handler to `app.bolt`."""
    from handlers import buttons, command, context, declare, errors, reminders, update_modal  # Bolt: serve only

    bolt = app.bolt
    bolt.use(context.asker(app))
    bolt.command("/incident")(command.handler(app))
    bolt.view("declare")(declare.submission(app))
    bolt.view("update")(update_modal.submission(app))
    bolt.action("card_update")(update_modal.opener(app))
    bolt.action("card_resolve")(buttons.resolver(app))
    bolt.action("card_preview")(buttons.previewer(app))
    bolt.action("receipts_retry")(buttons.retrier(app))
    bolt.action("reminder_post_update")(update_modal.opener(app))
    bolt.action("reminder_snooze")(reminders.snoozer(app))
    bolt.action("reminder_continue")(reminders.continuer(app))
    bolt.error(errors.handler(app))

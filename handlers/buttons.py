"""The card's Resolve and Preview buttons, and the receipts' Retry button."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.domain import service
from bot.text import grammar as g
from handlers import run as publish

if TYPE_CHECKING:
    from slack_bolt import Ack, BoltContext

    from handlers.context import SlackApp

Listener = Callable[..., None]


def _button(app: SlackApp, build: Callable[[int], g.Command]) -> Listener:
    def handle_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        """Run the button's command and answer privately after the response."""
        outcome = publish.run(app, build(int(action["value"])), context["asker"])
        ack()
        publish.respond_later(app, body.get("response_url"), publish.reply(app, outcome))

    return handle_button


def resolver(app: SlackApp) -> Listener:
    """Resolve an incident, or complete a maintenance window, from its card."""

    def build(incident_id: int) -> g.Command:
        with app.core.sessions() as session:
            kind = service.get_incident(session, incident_id).kind
        return g.Resolve(incident_id) if kind == "incident" else g.Complete(incident_id)

    return _button(app, build)


def previewer(app: SlackApp) -> Listener:
    """Show what each channel would receive if the latest update were posted again."""

    def build(incident_id: int) -> g.Command:
        with app.core.sessions() as session:
            incident = service.get_incident(session, incident_id)
            body = incident.updates[-1].body if incident.updates else incident.title
        return g.Preview(incident_id, body)

    return _button(app, build)


def retrier(app: SlackApp) -> Listener:
    """Re-queue an incident's failed deliveries from its receipts."""
    return _button(app, g.Retry)

"""The update-cadence reminder's buttons: Post update, Snooze 30 min, Still investigating.

Post update opens the same Update modal as the card's Update button. Snooze holds the incident's
next reminder for 30 minutes; Still investigating publishes the templated "continuing" update.
Either way the reminder is edited in place to say who did what, after the response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.domain import service
from bot.domain.models import utcnow
from bot.schedule import jobs
from bot.store.db import transaction
from bot.text import grammar as g
from bot.text.templating import render
from handlers import run as publish
from handlers import update_modal

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from herald.slack import SlackApp

Listener = Callable[..., None]


def register(bolt: App, app: SlackApp) -> None:
    """Attach the reminder's three buttons."""
    bolt.action("reminder_post_update")(update_modal.opener(app))
    bolt.action("reminder_snooze")(snoozer(app))
    bolt.action("reminder_continue")(continuer(app))


def snoozer(app: SlackApp) -> Listener:
    """Snooze 30 min: the next reminder waits 30 minutes from now."""

    def handle_snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Move the incident's next reminder, then say so in place of the buttons."""
        user, channel = body["user"]["id"], (body.get("channel") or {}).get("id")
        app.allow.check(user=user, channel=channel, app=app)
        with transaction(app.core.sessions) as session:
            incident = service.get_incident(session, int(action["value"]))
            job = jobs.snooze(session, incident=incident, now=utcnow())
            until = job.due_at if job else None
        ack()
        if until is not None:
            app.later(settle, app, body, {"what": "snoozed", "user": user, "until": until})

    return handle_snooze


def continuer(app: SlackApp) -> Listener:
    """Still investigating: publish the operator's "continuing" text as the next update."""

    def handle_continue(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Post the update to every channel, then say so in place of the buttons."""
        user, channel = body["user"]["id"], (body.get("channel") or {}).get("id")
        text = render(app.core.templates, "messages/continuing.j2")
        outcome = publish.run(app, g.Update(incident=int(action["value"]), message=text), user=user,
                              channel=channel)
        ack()
        app.later(settle, app, body, {"what": "continued", "user": user, "number": outcome.update_number})

    return handle_continue


def settle(app: SlackApp, body: dict[str, Any], context: dict[str, Any]) -> None:
    """Replace the reminder's buttons with a line saying who snoozed it or what was posted."""
    message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
    if not channel or not message.get("ts"):
        return
    line = render(app.core.templates, "slack/reminder_done.j2", **context)
    kept = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
    blocks = [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}]
    app.client.chat_update(channel=channel, ts=message["ts"], text=line, blocks=blocks)

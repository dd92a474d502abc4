"""The update-cadence reminder in Slack: posting it (`poster`) and its buttons — Post update, Snooze 30 min,
Still investigating.

Post update opens the same Update modal as the card's Update button. Snooze holds the incident's
next reminder for 30 minutes; Still investigating publishes the templated "continuing" update.
Either way the reminder is edited in place to say who did what, after the response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import service
from bot.domain.models import utcnow
from bot.schedule import jobs
from bot.schedule.cadence import Reminder
from bot.store.db import transaction
from bot.text import grammar as g
from bot.text.templating import render
from handlers import run as publish

if TYPE_CHECKING:
    from slack_bolt import Ack, BoltContext

    from handlers.context import SlackApp

log = logging.getLogger(__name__)
Listener = Callable[..., None]


def snoozer(app: SlackApp) -> Listener:
    """Snooze 30 min: the next reminder waits 30 minutes from now."""

    def handle_snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        """Move the incident's next reminder, then say so in place of the buttons."""
        asker = context["asker"]
        asker.require_publisher()
        with transaction(app.core.sessions) as session:
            incident = service.get_incident(session, int(action["value"]))
            job = jobs.snooze(session, incident=incident, now=utcnow())
            until = job.due_at if job else None
        ack()
        if until is not None:
            app.later(settle, app, body, {"what": "snoozed", "user": asker.user, "until": until})

    return handle_snooze


def continuer(app: SlackApp) -> Listener:
    """Still investigating: publish the operator's "continuing" text as the next update."""

    def handle_continue(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        """Post the update to every channel, then say so in place of the buttons."""
        asker = context["asker"]
        text = render(app.core.templates, "messages/continuing.j2")
        outcome = publish.run(app, g.Update(incident=int(action["value"]), message=text), asker)
        ack()
        app.later(settle, app, body, {"what": "continued", "user": asker.user, "number": outcome.update_number})

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


def poster(client: WebClient) -> Callable[[Reminder, dict[str, Any]], str]:
    """What the scheduler calls to post a reminder (bot.schedule.cadence decides what it says)."""

    def post_reminder(reminder: Reminder, message: dict[str, Any]) -> str:
        try:
            client.chat_postMessage(channel=str(reminder.channel), thread_ts=reminder.thread_ts, text=message["text"],
                                    blocks=message["blocks"])
        except SlackApiError as exc:  # e.g. not_in_channel: retrying now cannot help; the next reminder may
            log.warning("Slack refused the update reminder for #%s: %s", reminder.incident.id,
                        exc.response.get("error"))
            return "refused"
        return "sent"

    return post_reminder

"""Update-cadence reminders: a nudge in the incident's Slack thread when customers have heard nothing.

This module decides what the reminder says: templates/slack/reminder.j2 (text and blocks as JSON) with
the buttons Post update, Snooze 30 min and Still investigating. Posting it is `core.send_reminder`, which
the composition root (herald.app) sets to handlers.reminders.poster when Slack is configured; without
it the reminder is skipped, and that is logged once per process.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Config
from bot.core import Core
from bot.domain.models import Incident
from bot.domain.snapshots import IncidentView, incident_view
from bot.text.templating import render

log = logging.getLogger(__name__)
_told: set[str] = set()  # reasons already logged, so a missing setting is said once


@dataclass(frozen=True)
class Reminder:
    """What the reminder needs: the incident, where its card is, and when it last spoke publicly."""

    incident: IncidentView
    channel: str | None
    thread_ts: str | None
    last_update_at: datetime


def reminder_for(session: Session, incident: Incident, config: Config) -> Reminder | None:
    """The reminder for an open incident, or None once it is resolved."""
    if not incident.is_open or incident.kind != "incident":
        return None
    last = max((u.created_at for u in incident.updates), default=incident.created_at)
    return Reminder(incident_view(incident, config.public_url), incident.slack_channel,
                    incident.slack_card_ts, last)


def send(core: Core, reminder: Reminder, *, now: datetime) -> str:
    """Post the reminder in the incident's thread; returns "sent", "refused" or why it was skipped."""
    if core.send_reminder is None:
        return _skip("Slack is not configured")
    if not reminder.channel or not reminder.thread_ts:
        return _skip(f"#{reminder.incident.id} has no Slack card to reply to")
    return core.send_reminder(reminder, message_for(core, reminder, now=now))


def message_for(core: Core, reminder: Reminder, *, now: datetime) -> dict[str, Any]:
    """The reminder's `text` and `blocks`, rendered from templates/slack/reminder.j2."""
    text = render(core.templates, "slack/reminder.j2", incident=reminder.incident, now=now,
                  last=reminder.last_update_at, silence=now - reminder.last_update_at)
    message: dict[str, Any] = json.loads(text)
    return message


def _skip(reason: str) -> str:
    if reason not in _told and "Slack" in reason:
        _told.add(reason)
        log.info("update-cadence reminders are skipped: %s", reason)
    return f"skipped: {reason}"

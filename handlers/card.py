"""The incident card: one in-channel message per incident, edited in place on every change."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.domain.snapshots import IncidentView
from bot.text.templating import render
from handlers import receipts
from handlers.messages import load, store

if TYPE_CHECKING:
    from bot.core import Core
    from handlers.context import SlackApp

BURST = 0.25  # seconds a card refresh waits for more changes to the same incident
_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)
_queued: set[int] = set()
_queued_lock = threading.Lock()
_drawn: dict[int, datetime] = {}  # incident → the updated_at its card last showed (in this process)


def schedule(app: SlackApp, incident_id: int, channel: str | None) -> None:
    """Queue a refresh for shortly after the response; a refresh already waiting will draw this change too.

    The short wait lets a burst of commands on one incident share one card edit (Slack rate-limits
    chat.update, and the edits would otherwise compete with the next acks for the CPU).
    """
    with _queued_lock:
        if incident_id in _queued:
            return
        _queued.add(incident_id)
    timer = threading.Timer(BURST, app.later, args=(refresh, app, incident_id, channel))
    timer.daemon = True
    timer.start()


def refresh(app: SlackApp, incident_id: int, channel: str | None) -> None:
    """Post the card in `channel` the first time, edit it in place afterwards, then redraw the receipts."""
    with _locks[incident_id]:
        with _queued_lock:
            _queued.discard(incident_id)  # changes committed from now on queue a new refresh
        view, where = load(app.core, incident_id)
        if where.slack_card_ts and where.slack_channel:
            edit(app.core, app.client, view, channel=where.slack_channel, ts=where.slack_card_ts)
        elif channel:
            blocks, text = render_card(app.core, view)
            answer = app.client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
            store(app.core, incident_id, slack_channel=answer["channel"], slack_card_ts=answer["ts"])
            _drawn[incident_id] = view.updated_at
    receipts.draw(app.core, app.client, incident_id)


def follow(core: Core, client: WebClient, incident_id: int) -> None:
    """Edit the card after a change made outside Slack (CLI, scheduler), once per change in this process."""
    with _locks[incident_id]:
        view, where = load(core, incident_id)
        if where.slack_card_ts and where.slack_channel and _drawn.get(incident_id) != view.updated_at:
            edit(core, client, view, channel=where.slack_channel, ts=where.slack_card_ts)


def edit(core: Core, client: WebClient, view: IncidentView, *, channel: str, ts: str) -> None:
    """Edit the card in place to show `view`."""
    blocks, text = render_card(core, view)
    client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    _drawn[view.id] = view.updated_at


def render_card(core: Core, incident: IncidentView) -> tuple[list[dict[str, Any]], str]:
    """The card's Block Kit blocks and its notification text, from templates/slack/."""
    blocks = json.loads(render(core.templates, "slack/card.j2", i=incident))
    return blocks, render(core.templates, "slack/card_text.j2", i=incident)


def delivery_hook(client: WebClient) -> Callable[[Core, int], None]:
    """What the worker calls after every delivery outcome: bring the card up to date, redraw the receipts."""

    def redraw_card_and_receipts(core: Core, incident_id: int) -> None:
        follow(core, client, incident_id)
        receipts.draw(core, client, incident_id)

    return redraw_card_and_receipts

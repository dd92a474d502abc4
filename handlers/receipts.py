"""Delivery receipts: a reply threaded under the incident card, edited in place as each channel answers.

`Status page ✓ · Twitter ✓ link · Forum ✗ 429, retrying 14:12 PDT`. It is drawn from the outbox, the
truth about what reached whom, whenever the card changes and whenever a delivery changes state
(handlers.card.delivery_hook, wired by herald.app in `herald serve` and in `herald worker` alike).

It shows the newest update's deliveries, and under them every earlier delivery that waits for a
person (failed or dead: later updates went on without it), with a Retry button whenever there is one.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.outbox import DeliverySummary
from bot.domain.models import Incident
from bot.subscribers import notifiers, reports
from bot.text.templating import render
from handlers.messages import store

if TYPE_CHECKING:
    from bot.core import Core

_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


def draw(core: Core, client: WebClient, incident_id: int) -> None:
    """Post the receipts under the card, or edit them in place; nothing when the incident has no card."""
    with _locks[incident_id]:
        with core.reading() as session:
            incident = session.get(Incident, incident_id)
            if incident is None or not (incident.slack_card_ts and incident.slack_channel):
                return
            shown, text = words(core, session, incident_id)
            channel, card_ts, receipts_ts = incident.slack_channel, incident.slack_card_ts, incident.slack_receipts_ts
        retry = any(d.needs_person for _, rows in shown for d in rows)
        blocks = json.loads(render(core.templates, "slack/receipts_blocks.j2", text=text, retry=retry,
                                   incident_id=incident_id))
        if receipts_ts:
            client.chat_update(channel=channel, ts=receipts_ts, text=text, blocks=blocks)
            return
        answer = client.chat_postMessage(channel=channel, thread_ts=card_ts, text=text, blocks=blocks,
                                         unfurl_links=False)
        store(core, incident_id, slack_receipts_ts=answer["ts"])


def words(core: Core, session: Session, incident_id: int) -> tuple[list[tuple[int, list[DeliverySummary]]], str]:
    """What the receipts show of `incident_id` (the rows, and their text): the channels' deliveries and the
    subscribers' notices (`Email 1,204 ✓ · 3 retrying`)."""
    shown = groups(outbox.summary(session, incident_id))
    told = reports.tallies(session, incident_id)
    return shown, render(core.templates, "slack/receipts.j2", groups=shown, labels=core.registry.labels(),
                         told=told, notifiers=notifiers.labels())


def latest(rows: list[DeliverySummary]) -> list[DeliverySummary]:
    """The newest update's deliveries, one per channel (its newest revision)."""
    if not rows:
        return []
    newest = max(r.update_number for r in rows)
    return [r for r in _newest_revisions(rows) if r.update_number == newest]


def groups(rows: list[DeliverySummary]) -> list[tuple[int, list[DeliverySummary]]]:
    """(update number, deliveries) to show: the newest update's, then each earlier one that needs a person."""
    top = latest(rows)
    if not top:
        return []
    newest = top[0].update_number
    stuck: dict[int, list[DeliverySummary]] = {}
    for row in _newest_revisions(rows):
        if row.update_number != newest and row.needs_person:
            stuck.setdefault(row.update_number, []).append(row)
    return [(newest, top), *sorted(stuck.items(), reverse=True)]


def _newest_revisions(rows: list[DeliverySummary]) -> list[DeliverySummary]:
    """One row per (update, channel): the newest revision's."""
    chosen: dict[tuple[int, str], DeliverySummary] = {}
    for row in rows:
        key = (row.update_number, row.publisher)
        if key not in chosen or row.revision >= chosen[key].revision:
            chosen[key] = row
    return list(chosen.values())

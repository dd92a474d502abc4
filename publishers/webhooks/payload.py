"""Statuspage-shaped subscriber webhook bodies: `meta`, `page`, and `incident` with `incident_updates`
(newest first), or `component` with `component_update` for a component's change of status.

The keys are those of Statuspage's own subscriber webhooks (tests/publishers/webhooks/refs/ holds real
captures); ids are strings, as on Herald's /api/v2: incidents by number, updates and components by row id.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from bot.domain.snapshots import ComponentView, Event, IncidentView, UpdateView
from bot.domain.vocabulary import PAGE_INDICATORS
from bot.plugins.contract import Config, Notice
from bot.text.times import to_zone_iso

Json = dict[str, Any]
DOCS = "https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md"


class Shaper:
    """Builds the bodies for one page (its URL, zone and components)."""

    def __init__(self, config: Config, comps: list[ComponentView]) -> None:
        self.zone, self.comps = config.timezone, {c.name: c for c in comps}
        self.page_id = hashlib.sha1(config.public_url.rstrip("/").encode()).hexdigest()[:12]

    def time(self, at: datetime | None) -> str | None:
        """A timestamp with the page zone's offset, as Herald's API writes it."""
        return None if at is None else to_zone_iso(at, self.zone)

    def head(self, notice: Notice, now: datetime) -> Json:
        """`meta` and `page`, shared by every body."""
        return {"meta": {"unsubscribe": notice.unsubscribe_url, "documentation": DOCS, "generated_at": self.time(now)},
                "page": {"id": self.page_id, "status_indicator": notice.indicator,
                         "status_description": PAGE_INDICATORS.get(notice.indicator, notice.indicator)}}

    def incident_body(self, notice: Notice, event: Event, now: datetime) -> Json:
        """The body for an incident's (or a window's) update."""
        return {**self.head(notice, now), "incident": self.incident(event.incident, upto=event.update.number)}

    def component_bodies(self, notice: Notice, event: Event, now: datetime) -> list[Json]:
        """One body per component the update moved (of those the subscriber chose)."""
        moves = [m for m in event.update.component_changes if m["name"] in self.comps
                 and m["old_status"] != m["new_status"] and (not notice.components or m["name"] in notice.components)]
        return [{**self.head(notice, now), "component": self.component(self.comps[m["name"]], m["new_status"]),
                 "component_update": {"old_status": m["old_status"], "new_status": m["new_status"],
                                      "created_at": self.time(event.update.created_at), "component_type": "Component",
                                      "id": f"{event.update.id}-{self.comps[m['name']].id}",
                                      "component_id": str(self.comps[m["name"]].id)}}
                for m in moves]

    def incident(self, i: IncidentView, *, upto: int) -> Json:
        """The incident as it stood after update `upto`, its updates newest first."""
        updates = [u for u in i.updates if u.number <= upto]
        return {"name": i.title, "status": updates[-1].status if updates else i.status,
                "created_at": self.time(i.created_at), "updated_at": self.time(updates[-1].created_at if updates
                                                                               else i.updated_at),
                "monitoring_at": self.time(next((u.display_at for u in updates if u.status == "monitoring"), None)),
                "resolved_at": self.time(i.resolved_at), "impact": i.impact, "shortlink": i.url,
                "postmortem_ignored": True, "postmortem_body": None, "postmortem_body_last_updated_at": None,
                "postmortem_published_at": None, "postmortem_notified_subscribers": False,
                "postmortem_notified_twitter": False, "backfilled": False,
                "scheduled_for": self.time(i.scheduled_for), "scheduled_until": self.time(i.scheduled_until),
                "scheduled_remind_prior": False, "scheduled_reminded_at": None, "impact_override": None,
                "scheduled_auto_in_progress": i.kind == "maintenance" and i.auto_transitions,
                "scheduled_auto_completed": i.kind == "maintenance" and i.auto_transitions,
                "id": str(i.id), "page_id": self.page_id,
                "incident_updates": [self.update(u, i) for u in reversed(updates)],
                "components": [self.component(self.comps[a.name], a.status)
                               for a in i.affected if a.name in self.comps]}

    def update(self, u: UpdateView, i: IncidentView) -> Json:
        """One entry of `incident_updates`."""
        moves = [{"code": str(self.comps[m["name"]].id) if m["name"] in self.comps else m["name"], "name": m["name"],
                  "old_status": m["old_status"], "new_status": m["new_status"]} for m in u.component_changes]
        return {"status": u.status, "body": u.body, "created_at": self.time(u.created_at),
                "wants_twitter_update": False, "twitter_updated_at": None,
                "updated_at": self.time(u.edited_at or u.created_at), "display_at": self.time(u.display_at),
                "affected_components": moves, "custom_tweet": None, "deliver_notifications": True,
                "id": str(u.id), "incident_id": str(i.id)}

    def component(self, c: ComponentView, status: str) -> Json:
        """One component (with the status it has in the incident)."""
        return {"status": status, "name": c.name, "created_at": self.time(c.created_at),
                "updated_at": self.time(c.updated_at), "position": c.position, "description": c.description,
                "showcase": True, "id": str(c.id), "page_id": self.page_id, "group_id": None}

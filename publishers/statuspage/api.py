"""The Statuspage public API v2 shapes (`/api/v2/*.json`): same field names, value sets and nesting.

Ids are strings as Statuspage's are: incidents by number, updates and components by row id, component
groups `group-<name>`. Timestamps carry the page zone's offset, as Twilio's real capture does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.snapshots import ComponentView, IncidentView, UpdateView
from bot.domain.vocabulary import PAGE_INDICATORS, page_indicator, worst
from bot.text.times import to_zone_iso

Json = dict[str, Any]


@dataclass(frozen=True)
class PageInfo:
    """The page as Statuspage describes it."""

    name: str
    url: str
    zone: str
    updated_at: datetime

    @property
    def id(self) -> str:
        """A stable 12-character id derived from the public URL."""
        return hashlib.sha1(self.url.encode()).hexdigest()[:12]

    def time(self, at: datetime | None) -> str | None:
        """A timestamp as the JSON carries it, or None."""
        return None if at is None else to_zone_iso(at, self.zone)


def page(info: PageInfo) -> Json:
    """The `page` object every endpoint starts with."""
    return {"id": info.id, "name": info.name, "url": info.url, "time_zone": info.zone,
            "updated_at": info.time(info.updated_at)}


def indicator(comps: list[ComponentView], open_incidents: list[IncidentView]) -> str:
    """The overall indicator: none, minor, major, critical or maintenance."""
    impacts = [i.impact for i in open_incidents if i.kind == "incident" and i.status != "resolved"]
    return page_indicator([c.status for c in comps], impacts)


def status(comps: list[ComponentView], open_incidents: list[IncidentView]) -> Json:
    """The `status` object: indicator and its plain-words description."""
    value = indicator(comps, open_incidents)
    return {"indicator": value, "description": PAGE_INDICATORS[value]}


def group_id(name: str) -> str:
    """The id of the synthetic group component called `name`."""
    return f"group-{name}"


def component(c: ComponentView, info: PageInfo, position: int) -> Json:
    """One component."""
    return {"id": str(c.id), "name": c.name, "status": c.status, "created_at": info.time(c.created_at),
            "updated_at": info.time(c.updated_at), "position": position, "description": c.description,
            "showcase": False, "start_date": None, "group_id": group_id(c.group) if c.group else None,
            "page_id": info.id, "group": False, "only_show_if_degraded": c.only_show_if_degraded}


@dataclass(frozen=True)
class Places:
    """1-based positions as Statuspage numbers them: groups and ungrouped components share one top-level
    sequence, in page order; a group's members are numbered within their group."""

    components: dict[str, int]
    groups: dict[str, int]


def positions(comps: list[ComponentView]) -> Places:
    """The positions of every component and group of the page (`comps` in page order)."""
    top = 0  # top-level items so far: groups and ungrouped components
    places: dict[str, int] = {}
    groups: dict[str, int] = {}
    members: dict[str, int] = {}
    for c in comps:
        if not c.group:
            top += 1
            places[c.name] = top
            continue
        if c.group not in groups:
            top += 1
            groups[c.group] = top
        members[c.group] = places[c.name] = members.get(c.group, 0) + 1
    return Places(places, groups)


def components(comps: list[ComponentView], info: PageInfo) -> list[Json]:
    """Every component, each group first as a component with `group: true` and its members' ids."""
    out: list[Json] = []
    groups: dict[str, list[ComponentView]] = {}
    for c in comps:
        if c.group:
            groups.setdefault(c.group, []).append(c)
    places = positions(comps)
    for name, members in groups.items():
        out.append({**component(members[0], info, places.groups[name]), "id": group_id(name), "name": name,
                    "status": worst([m.status for m in members]), "description": None, "group_id": None,
                    "group": True, "components": [str(m.id) for m in members],
                    "updated_at": info.time(max(m.updated_at for m in members if m.updated_at))})
    return out + [component(c, info, places.components[c.name]) for c in comps]


def _label(name: str, by_name: dict[str, ComponentView]) -> str:
    """A component's name as affected_components carries it (`GROUP - name` when grouped)."""
    c = by_name.get(name)
    return f"{c.group} - {name}" if c and c.group else name


def update(u: UpdateView, i: IncidentView, info: PageInfo, by_name: dict[str, ComponentView]) -> Json:
    """One entry of `incident_updates`."""
    moves = [{"code": str(by_name[m["name"]].id) if m["name"] in by_name else m["name"],
              "name": _label(m["name"], by_name), "old_status": m["old_status"],
              "new_status": m["new_status"]} for m in u.component_changes]
    return {"id": str(u.id), "status": u.status, "body": u.body, "incident_id": str(i.id),
            "created_at": info.time(u.created_at), "updated_at": info.time(u.edited_at or u.created_at),
            "display_at": info.time(u.display_at), "affected_components": moves or None,
            "deliver_notifications": True, "custom_tweet": None, "tweet_id": tweet_id(u)}


def tweet_id(u: UpdateView) -> int | None:
    """The id of the tweet that announced the update, a JSON number as Statuspage's captures carry it."""
    return int(u.tweet_id) if u.tweet_id and u.tweet_id.isdigit() else None


def _entered(i: IncidentView, status_name: str) -> datetime | None:
    """When the incident last moved into `status_name`."""
    at, before = None, None
    for u in i.updates:
        if u.status == status_name and before != status_name:
            at = u.display_at
        before = u.status
    return at


def incident(i: IncidentView, info: PageInfo, comps: list[ComponentView]) -> Json:
    """One incident or scheduled maintenance, updates newest first."""
    by_name, places = {c.name: c for c in comps}, positions(comps).components
    out = {"id": str(i.id), "name": i.title, "status": i.status, "created_at": info.time(i.created_at),
           "updated_at": info.time(i.updated_at), "monitoring_at": info.time(_entered(i, "monitoring")),
           "resolved_at": info.time(i.resolved_at), "impact": i.impact, "shortlink": i.url,
           "started_at": info.time(i.started_at or i.created_at), "page_id": info.id,
           "incident_updates": [update(u, i, info, by_name) for u in reversed(i.updates)],
           "components": [component(by_name[a.name], info, places[a.name])
                          for a in i.affected if a.name in by_name]}
    if i.kind == "maintenance":  # as the captures carry them: window fields, no reminder_intervals
        out.update(scheduled_for=info.time(i.scheduled_for), scheduled_until=info.time(i.scheduled_until))
    else:
        out["reminder_intervals"] = None
    return out


def incident_document(i: IncidentView, info: PageInfo, comps: list[ComponentView]) -> Json:
    """`/api/v2/incidents/<id>.json`: `{page, incident}` as Statuspage serves one incident."""
    return {"page": page(info), "incident": incident(i, info, comps)}

"""The eight `/api/v2/` files, built from one snapshot of the page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain.snapshots import ComponentView, IncidentView
from bot.domain.vocabulary import LIVE_MAINTENANCE
from publishers.statuspage import api
from publishers.statuspage.bars import Bar, extension

UNRESOLVED = "incidents/unresolved.json"
LIMIT = 50  # Statuspage lists the 50 newest incidents


def incident_path(incident_id: int) -> str:
    """The site path of one incident's (or window's) JSON, `{page, incident}`, as Statuspage serves it."""
    return f"api/v2/incidents/{incident_id}.json"


def _order(views: list[IncidentView]) -> list[IncidentView]:
    """Newest first."""
    return sorted(views, key=lambda i: i.id, reverse=True)


def _upcoming(views: list[IncidentView]) -> list[IncidentView]:
    """Scheduled windows, soonest first."""
    found = [i for i in views if i.kind == "maintenance" and i.status == "scheduled"]
    return sorted(found, key=lambda i: (i.scheduled_for or datetime.max.replace(tzinfo=UTC), i.id))


def documents(*, info: api.PageInfo, comps: list[ComponentView], open_views: list[IncidentView],
              newest: list[IncidentView], newest_maintenance: list[IncidentView],
              bars: dict[str, Bar] | None = None) -> dict[str, Any]:
    """Every API file by its path under `api/v2/`: summary, status, components, incidents, maintenances."""
    page = api.page(info)

    def shaped(views: list[IncidentView]) -> list[dict[str, Any]]:
        return [api.incident(i, info, comps) for i in views]

    unresolved = _order([i for i in open_views if i.kind == "incident"])
    upcoming = _upcoming(open_views)
    active = _order([i for i in open_views if i.kind == "maintenance" and i.status in LIVE_MAINTENANCE])
    status = api.status(comps, open_views)
    components = api.components(comps, info)
    return {
        "summary.json": {"page": page, "components": components, "incidents": shaped(unresolved),
                         "scheduled_maintenances": shaped(active + upcoming), "status": status},
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": components,
                            "herald_uptime": extension(bars or {}, {c.name: str(c.id) for c in comps})},
        "incidents.json": {"page": page, "incidents": shaped(_order(newest)[:LIMIT])},
        UNRESOLVED: {"page": page, "incidents": shaped(unresolved)},
        "scheduled-maintenances.json": {"page": page,
                                        "scheduled_maintenances": shaped(_order(newest_maintenance)[:LIMIT])},
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": shaped(upcoming)},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": shaped(active)},
    }

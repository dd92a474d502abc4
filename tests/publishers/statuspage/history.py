"""A large synthetic history inserted straight into the tables (the domain is not under test here)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from bot.core import Core
from bot.domain.models import AffectedComponent, Component, Incident, Update


def seed(core: Core, *, incidents: int, now: datetime, per_incident: int = 3) -> None:
    """`incidents` resolved incidents, one every 6 hours back from `now`, with `per_incident` updates each."""
    with core.engine.begin() as conn:
        component_ids = list(conn.scalars(select(Component.id)))
        rows, updates, links = [], [], []
        for n in range(1, incidents + 1):
            start = now - timedelta(hours=6 * (incidents - n) + 3)
            rows.append({"id": n, "kind": "incident", "title": f"Incident {n}", "impact": "minor",
                         "status": "resolved", "started_at": start, "resolved_at": start + timedelta(hours=1),
                         "created_at": start, "updated_at": start + timedelta(hours=1)})
            links.append({"incident_id": n, "component_id": component_ids[n % len(component_ids)],
                          "status": "operational"})
            for k in range(per_incident):
                at = start + timedelta(minutes=20 * k)
                updates.append({"incident_id": n, "number": k + 1, "body": f"Update {k + 1} of incident {n}.",
                                "status": "resolved" if k == per_incident - 1 else "investigating",
                                "display_at": at, "created_at": at, "event": "update", "revision": 0,
                                "component_changes": []})
        conn.execute(insert(Incident), rows)
        conn.execute(insert(AffectedComponent), links)
        conn.execute(insert(Update), updates)

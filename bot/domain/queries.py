"""Reading incidents and components for a command (the status page reads through bot.domain.reading)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.domain import vocabulary as v
from bot.domain.models import Component, Incident
from bot.errors import DomainError, NotFound


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    """The incident numbered `incident_id`, or NotFound."""
    # A write locks the row (PostgreSQL) so two commands on one incident take turns, not numbers.
    incident = session.get(Incident, incident_id, with_for_update=lock or None)
    if incident is None:
        raise NotFound(f"there is no incident #{incident_id}")
    return incident


def list_incidents(session: Session, *, which: str = "open", limit: int = 50) -> list[Incident]:
    """Open, upcoming (scheduled maintenance) or all incidents, newest first."""
    query = select(Incident).order_by(Incident.id.desc()).limit(limit).options(  # views read all three
        selectinload(Incident.affected), selectinload(Incident.updates), selectinload(Incident.threads))
    if which == "open":
        query = query.where(Incident.status.not_in(v.NOT_LIVE))
    elif which == "upcoming":
        query = query.where(Incident.status == "scheduled")
    elif which != "all":
        raise DomainError(f'cannot list "{which}": use open, upcoming or all')
    return list(session.scalars(query))


def list_components(session: Session) -> list[Component]:
    """Every component in page order."""
    return list(session.scalars(select(Component).order_by(Component.position, Component.name)))

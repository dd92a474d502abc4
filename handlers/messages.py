"""Where an incident's Slack messages are (its card and receipts): read with the incident, remembered after posting."""

from __future__ import annotations

from sqlalchemy import update

from bot.core import Core
from bot.domain import reading
from bot.domain.models import Incident
from bot.domain.snapshots import IncidentView
from bot.store.db import transaction


def load(core: Core, incident_id: int) -> tuple[IncidentView, Incident]:
    """The incident as a view, and its row (for where its Slack messages are)."""
    with core.reading() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise LookupError(f"incident #{incident_id} vanished")
        return reading.incident(session, incident_id, public_url=core.config.public_url), incident


def store(core: Core, incident_id: int, **where: str) -> None:
    """Remember where the incident's card or receipts are."""
    with transaction(core.sessions) as session:
        # updated_at stays: where Slack shows an incident is not a change to the incident
        session.execute(update(Incident).where(Incident.id == incident_id)
                        .values(**where, updated_at=Incident.updated_at))

"""Frozen snapshots of incidents: built from ORM rows or from given parts alike, and what they answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.domain import service
from bot.domain.models import Component, Incident, Thread, Update, UpdateRevision
from bot.domain.snapshots import (
    AffectedView,
    Event,
    IncidentView,
    RevisionView,
    ThreadView,
    UpdateView,
    component_view,
    incident_url,
    incident_view,
    thread_view,
    update_view,
)
from bot.domain.vocabulary import INCIDENT_STATUSES, MAINTENANCE_STATUSES
from bot.store import db

T0 = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)
URL = "https://status.example.test"


def an_update(number: int, body: str = "Looking.") -> UpdateView:
    """An update view numbered `number`."""
    at = T0 + timedelta(minutes=number)
    return UpdateView(number=number, status="investigating", body=body, display_at=at, created_at=at)


def an_incident(**changes: object) -> IncidentView:
    """An open incident view, with `changes` applied."""
    base = IncidentView(id=7, kind="incident", title="Checkout down", impact="major", status="investigating",
                        url=incident_url(URL, 7), started_at=T0, resolved_at=None, scheduled_for=None,
                        scheduled_until=None, created_at=T0, updated_at=T0)
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def edited(core: Core) -> int:
    """An incident on app and admin with a forum thread, three updates, the second edited twice; its number."""
    with db.transaction(core.sessions) as s:
        number = service.declare(s, title="Checkout down", changes=[("app", "major_outage"), ("admin", None)],
                                 impact="major", body="Looking.", at=T0, now=T0).incident_id
        service.post_update(s, incident_id=number, status="identified", body="Found it.",
                            now=T0 + timedelta(minutes=10))
        service.edit_update(s, incident_id=number, number=2, body="Found it: a deploy.", now=T0 + timedelta(minutes=12))
        service.edit_update(s, incident_id=number, number=2, body="Found it: a bad deploy.",
                            now=T0 + timedelta(minutes=14))
        service.post_update(s, incident_id=number, status="monitoring", body="Fixed.", now=T0 + timedelta(minutes=30))
        s.add(Thread(incident_id=number, publisher="forum", first_id="7", last_id="9", url="https://f.test/t/7",
                     data={"topic": 7}))
    return number


def test_a_view_from_orm_rows_equals_one_from_given_parts(core: Core, edited: int) -> None:
    """Built from the incident's relationships or from column rows and given parts, the view is the same."""
    with core.sessions() as s:
        incident = s.get(Incident, edited)
        assert incident is not None
        from_rows = incident_view(incident, URL)
        revisions = [RevisionView(r.revision, r.body, r.replaced_at) for r in s.execute(
            select(UpdateRevision.revision, UpdateRevision.body, UpdateRevision.replaced_at)
            .join(Update).where(Update.number == 2, Update.incident_id == edited).order_by(UpdateRevision.revision))]
        columns = s.execute(select(Update.id, Update.number, Update.status, Update.body, Update.display_at,
                                   Update.created_at, Update.event, Update.revision, Update.edited_at,
                                   Update.component_changes)
                            .where(Update.incident_id == edited).order_by(Update.number))
        updates = tuple(update_view(row, revisions=tuple(revisions) if row.number == 2 else ()) for row in columns)
        given = incident_view(incident, URL, updates=updates,
                              affected=(AffectedView("app", "major_outage"), AffectedView("admin", "partial_outage")),
                              threads={"forum": ThreadView("forum", "7", "9", "https://f.test/t/7", {"topic": 7})})
    assert from_rows == given
    assert [u.number for u in from_rows.updates] == [1, 2, 3]
    assert from_rows.url == f"{URL}/incidents/{edited}/"


def test_a_view_of_chosen_updates_carries_only_those(core: Core, edited: int) -> None:
    """Given some of its updates (rows or views), the view carries those alone, in the order given."""
    with core.sessions() as s:
        incident = s.get(Incident, edited)
        assert incident is not None
        third = incident.updates[2]
        view = incident_view(incident, URL, updates=(third, an_update(9, "A view.")))
    assert [(u.number, u.body) for u in view.updates] == [(3, "Fixed."), (9, "A view.")]
    assert view.latest is not None and view.latest.number == 9


def test_update_view_from_a_row_with_revisions(core: Core, edited: int) -> None:
    """An edited update's view carries its current text and revision, and every earlier text in order."""
    with core.sessions() as s:
        update = s.scalars(select(Update).where(Update.incident_id == edited, Update.number == 2)).one()
        view = update_view(update, tweet_id="111")
    assert (view.number, view.status, view.event, view.body) == (2, "identified", "update", "Found it: a bad deploy.")
    assert (view.revision, view.edited_at, view.tweet_id, view.id) == (2, T0 + timedelta(minutes=14), "111", update.id)
    assert view.revisions == (RevisionView(0, "Found it.", T0 + timedelta(minutes=12)),
                              RevisionView(1, "Found it: a deploy.", T0 + timedelta(minutes=14)))


def test_update_view_keeps_the_component_moves(core: Core, edited: int) -> None:
    """The first update's view lists the component moves it made, as a tuple."""
    with core.sessions() as s:
        first = s.scalars(select(Update).where(Update.incident_id == edited, Update.number == 1)).one()
        view = update_view(first)
    assert view.component_changes == (
        {"name": "app", "old_status": "operational", "new_status": "major_outage"},
        {"name": "admin", "old_status": "operational", "new_status": "partial_outage"})
    assert view.revisions == () and view.edited_at is None and view.tweet_id is None


def test_component_and_thread_views(core: Core, edited: int) -> None:
    """Components and threads snapshot every column a page shows; a thread's data is a copy."""
    with core.sessions() as s:
        app = s.scalars(select(Component).where(Component.name == "app")).one()
        thread = s.scalars(select(Thread).where(Thread.incident_id == edited)).one()
        comp, shown = component_view(app), thread_view(thread)
        shown.data["topic"] = 8
        assert thread.data == {"topic": 7}
    assert (comp.name, comp.status, comp.position, comp.id) == ("app", "major_outage", app.position, app.id)
    assert comp.created_at is not None and comp.created_at.tzinfo is not None
    assert (shown.publisher, shown.first_id, shown.last_id, shown.url) == ("forum", "7", "9", "https://f.test/t/7")


def test_starts_is_the_start_or_the_scheduled_start() -> None:
    """An incident starts when it began; a window not yet begun starts when it is scheduled to."""
    window = an_incident(kind="maintenance", status="scheduled", started_at=None,
                         scheduled_for=T0 + timedelta(days=1), scheduled_until=T0 + timedelta(days=1, hours=2))
    assert an_incident().starts == T0
    assert window.starts == T0 + timedelta(days=1)
    assert replace(window, started_at=T0 + timedelta(hours=25)).starts == T0 + timedelta(hours=25)
    assert an_incident(started_at=None).starts is None


def test_ends_is_the_resolution_or_a_windows_planned_end() -> None:
    """An open incident has no end; a window ends when planned until it is completed, then when it was."""
    planned = T0 + timedelta(hours=2)
    assert an_incident().ends is None
    assert an_incident(scheduled_until=planned).ends is None  # only a window's plan counts
    assert an_incident(status="resolved", resolved_at=T0 + timedelta(hours=1)).ends == T0 + timedelta(hours=1)
    window = an_incident(kind="maintenance", status="in_progress", scheduled_for=T0, scheduled_until=planned)
    assert window.ends == planned
    assert replace(window, status="completed", resolved_at=T0 + timedelta(hours=3)).ends == T0 + timedelta(hours=3)


def test_latest_is_the_last_update_or_none() -> None:
    """The latest update is the last one; an incident view without updates has none."""
    assert an_incident().latest is None
    assert an_incident(updates=(an_update(1), an_update(2))).latest == an_update(2)


def test_update_finds_an_update_by_number() -> None:
    """`update(n)` is the update numbered n, wherever it sits."""
    view = an_incident(updates=(an_update(1, "one"), an_update(2, "two")))
    assert view.update(2).body == "two" and view.update(1).body == "one"


@pytest.mark.parametrize("status", INCIDENT_STATUSES + MAINTENANCE_STATUSES)
def test_is_open_until_resolved_or_completed(status: str) -> None:
    """Every status is open except resolved and completed (a scheduled window is open)."""
    assert an_incident(status=status).is_open is (status not in ("resolved", "completed"))


def test_an_event_is_a_correction_after_revision_zero() -> None:
    """An event of revision 0 is the update as first published; any later revision is a correction."""
    incident, update = an_incident(), an_update(1)
    assert not Event(incident, update).is_correction
    assert not Event(incident, update, revision=0).is_correction
    assert Event(incident, update, revision=1).is_correction
    assert Event(incident, update, revision=3).is_correction


@pytest.mark.parametrize(("public", "expected"), [
    ("https://status.example.test", "https://status.example.test/incidents/42/"),
    ("https://status.example.test/", "https://status.example.test/incidents/42/"),
    ("https://example.test/status/", "https://example.test/status/incidents/42/"),
])
def test_incident_url_is_under_the_public_url(public: str, expected: str) -> None:
    """An incident's page is `incidents/<n>/` under the public URL, with or without its trailing slash."""
    assert incident_url(public, 42) == expected

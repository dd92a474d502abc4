"""`/incident extend` from Slack: the window's end moves, its complete job with it, and it is announced."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.domain.models import Incident, Job, Update
from tests.serving import Served, ephemeral


def test_extend_moves_the_complete_job_and_says_so(served: Served) -> None:
    """Extending a window by slash command re-plans its end and publishes the new end time."""
    ephemeral(served.slack.command("maintenance Disk swap --from 2099-01-01 10:00 --to 2099-01-01 12:00 -c app"))
    with served.sessions() as s:
        number = s.scalars(select(Incident.id).where(Incident.title == "Disk swap")).one()
    ephemeral(served.slack.command(f"extend {number} --to 2099-01-01 13:30"))
    with served.sessions() as s:
        jobs = [(j.kind, j.due_at, j.state) for j in
                s.scalars(select(Job).where(Job.incident_id == number).order_by(Job.kind, Job.due_at))]
        latest = s.scalars(select(Update).where(Update.incident_id == number).order_by(Update.number.desc())).first()
    # make_env's zone is America/Los_Angeles: 10:00 PST is 18:00 UTC
    assert [j for j in jobs if j[0] == "complete"] == [
        ("complete", datetime(2099, 1, 1, 20, tzinfo=UTC), "cancelled"),
        ("complete", datetime(2099, 1, 1, 21, 30, tzinfo=UTC), "pending")]
    assert ("start", datetime(2099, 1, 1, 18, tzinfo=UTC), "pending") in jobs
    assert latest is not None and latest.event == "extend"
    assert latest.body == ("The maintenance window has been extended; it is now expected to end at "
                           "2099-01-01 13:30 PST (21:30 UTC).")

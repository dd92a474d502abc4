"""Resolved incidents from Slack: a later update says it is a postscript; `/incident reopen` reopens."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.models import Job
from tests.handlers.test_commands import incident, opened
from tests.serving import Served, ephemeral


def test_an_update_on_a_resolved_incident_says_it_is_a_postscript(served: Served) -> None:
    """The private reply says the update became a postscript and how to reopen instead."""
    number = opened(served, "Checkout errors -c app -m Errors at checkout")
    ephemeral(served.slack.command(f"resolve {number}"))
    reply = ephemeral(served.slack.command(f"update {number} Some data was lost."))
    assert f"#{number} is resolved: this was posted as a postscript; use `/incident reopen {number}` to reopen it" \
        in reply
    assert incident(served, number).updates[-1].event == "postscript"


def test_reopen_over_signed_http(served: Served) -> None:
    """`/incident reopen N -s identified -m …` reopens the incident, its components and its reminders."""
    number = opened(served, "Payments down -c www:major_outage -m Payments fail")
    ephemeral(served.slack.command(f"resolve {number} -m Fixed"))
    reply = ephemeral(served.slack.command(f"reopen {number} -s identified -m It *is* back"))
    assert f"#{number} Payments down* · Identified" in reply and "Saved update 3" in reply
    stored = incident(served, number)
    assert (stored.status, stored.resolved_at) == ("identified", None)
    assert (stored.updates[-1].event, stored.updates[-1].body) == ("reopen", "It **is** back")
    assert stored.affected[0].status == "major_outage"
    with served.sessions() as session:
        jobs = [(j.kind, j.state) for j in session.scalars(select(Job).where(Job.incident_id == number))]
    assert ("cadence", "pending") in jobs


def test_reopen_mistakes_show_the_slack_usage(served: Served) -> None:
    """An open incident is not reopened; the usage line is spelt the Slack way, `/incident reopen …`."""
    number = opened(served, "Still open -m Looking")
    assert "not resolved: post an update instead" in ephemeral(served.slack.command(f"reopen {number}"))
    assert "Usage: `/incident reopen ID [-s investigating]" in ephemeral(served.slack.command("reopen"))
    assert "/incident reopen ID" in ephemeral(served.slack.command("help"))

"""Words the templates translate through a variable (`_(i.status|title_status)`, the status labels, the month
pattern), listed here so `pybabel extract` finds them. Nothing imports this module."""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - gettext's marker name, which pybabel looks for
    """Mark `text` for extraction; returns it unchanged."""
    return text


WORDS = (
    N_("Investigating"), N_("Identified"), N_("Monitoring"), N_("Resolved"),
    N_("Scheduled"), N_("In Progress"), N_("Verifying"), N_("Completed"),
    N_("Operational"), N_("Degraded performance"), N_("Partial outage"), N_("Major outage"), N_("Under maintenance"),
    N_("All systems operational"),
    N_("MMMM YYYY"),  # pendulum's pattern of a month's title: "June 2010"
)

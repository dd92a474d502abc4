"""Herald's words for states, each set written once (Statuspage's vocabulary, SPEC §2), and the rules on them.

Everything that checks, lists, orders or labels a status, impact or component state reads it from here:
the grammar, the domain service, the models, the views, the status page and the Slack forms.
"""

from __future__ import annotations

from collections.abc import Iterable

KINDS = ("incident", "maintenance")
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
STATUSES = {"incident": INCIDENT_STATUSES, "maintenance": MAINTENANCE_STATUSES}
FINAL = {"incident": "resolved", "maintenance": "completed"}
FINISHED = ("resolved", "completed")  # an incident or window in one of these is over
NOT_LIVE = (*FINISHED, "scheduled")  # not affecting anything now: over, or not begun
LIVE_MAINTENANCE = ("in_progress", "verifying")
IMPACTS = ("none", "minor", "major", "critical")  # least to most severe
LIST_SCOPES = ("open", "upcoming", "all")

COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")
SEVERITY = ("major_outage", "partial_outage", "degraded_performance", "under_maintenance", "operational")  # worst first
STATUS_LABELS = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
}
PAGE_INDICATORS = {  # Statuspage's indicator values and our plain-words descriptions
    "none": "All systems operational",
    "minor": "Degraded performance",
    "major": "Partial outage",
    "critical": "Major outage",
    "maintenance": "Under maintenance",
}
IMPACT_DEFAULT_STATUS = {  # what a component named without a status shows, by the incident's impact
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
}
_INDICATOR_OF_STATUS = {
    "major_outage": "critical",
    "partial_outage": "major",
    "degraded_performance": "minor",
    "under_maintenance": "maintenance",
    "operational": "none",
}


def is_finished(status: str) -> bool:
    """True once an incident is resolved or a window completed."""
    return status in FINISHED


def worst(statuses: Iterable[str]) -> str:
    """The most severe of component `statuses` (operational when there are none)."""
    return min(statuses, key=SEVERITY.index, default="operational")


def impact_of(statuses: Iterable[str | None]) -> str | None:
    """The impact component `statuses` show, as Statuspage derives it (a major outage is critical, a partial
    outage major, degraded performance minor); None when none of them is an outage or a slowdown."""
    found = [_INDICATOR_OF_STATUS[s] for s in statuses if s in _INDICATOR_OF_STATUS]
    found = [i for i in found if i in IMPACTS and i != "none"]
    return max(found, key=IMPACTS.index, default=None)


def page_indicator(component_statuses: Iterable[str], open_impacts: Iterable[str]) -> str:
    """Statuspage's overall indicator from component statuses and the impacts of open incidents."""
    by_component = _INDICATOR_OF_STATUS[worst(component_statuses)]
    by_impact = max(open_impacts, key=IMPACTS.index, default="none")
    if by_component == "maintenance":
        return "maintenance" if by_impact == "none" else by_impact
    return max(by_component, by_impact, key=IMPACTS.index)

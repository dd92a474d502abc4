"""Components: reading HERALD_COMPONENTS, keeping the table in step, and the overall page status."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.models import Component
from bot.errors import ConfigError

# Worst first; the index is the severity used to pick the worst status.
SEVERITY = ("major_outage", "partial_outage", "degraded_performance", "under_maintenance", "operational")
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
IMPACT_RANK = ("none", "minor", "major", "critical")
IMPACT_DEFAULT_STATUS = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
}


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    description: str | None = None
    group: str | None = None


def read_setting(value: str) -> list[ComponentSpec]:
    """Parse HERALD_COMPONENTS: `app,admin,www` or the path of a TOML file with groups."""
    value = value.strip()
    if value.endswith(".toml"):
        return _read_toml(Path(value))
    return [ComponentSpec(name.strip().lower()) for name in value.split(",") if name.strip()]


def _read_toml(path: Path) -> list[ComponentSpec]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"HERALD_COMPONENTS: cannot read {path}: {exc}") from None
    specs = []
    for entry in data.get("component", []):
        if "name" not in entry:
            raise ConfigError(f"HERALD_COMPONENTS: a [[component]] in {path} has no name")
        specs.append(ComponentSpec(str(entry["name"]).lower(), entry.get("description"), entry.get("group")))
    return specs


def sync(session: Session, specs: list[ComponentSpec]) -> None:
    """Create configured components that are missing and refresh their description, group and order."""
    existing = {c.name: c for c in session.scalars(select(Component))}
    for position, spec in enumerate(specs):
        component = existing.get(spec.name)
        if component is None:
            component = Component(name=spec.name, status="operational")
            session.add(component)
        component.description = spec.description
        component.group = spec.group
        component.position = position


def worst(statuses: list[str]) -> str:
    """The most severe of `statuses` (operational when empty)."""
    return min(statuses, key=SEVERITY.index, default="operational")


def page_indicator(component_statuses: list[str], open_impacts: list[str]) -> str:
    """Statuspage's overall indicator from component statuses and the impacts of open incidents."""
    by_component = {
        "major_outage": "critical",
        "partial_outage": "major",
        "degraded_performance": "minor",
        "under_maintenance": "maintenance",
        "operational": "none",
    }[worst(component_statuses)]
    by_impact = max(open_impacts, key=IMPACT_RANK.index, default="none")
    if by_component == "maintenance":
        return "maintenance" if by_impact == "none" else by_impact
    return max(by_component, by_impact, key=IMPACT_RANK.index)

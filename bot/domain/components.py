"""Components: reading HERALD_COMPONENTS and keeping the table in step (their statuses: bot.domain.vocabulary)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.models import Component
from bot.errors import ConfigError, NotFound


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    description: str | None = None
    group: str | None = None
    only_show_if_degraded: bool | None = None  # None: as set before (`herald components --only-if-degraded`)


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
        hidden = entry.get("only_show_if_degraded")
        if hidden is not None and not isinstance(hidden, bool):
            raise ConfigError(f"HERALD_COMPONENTS: only_show_if_degraded of {entry['name']} in {path} "
                              "is not true or false")
        specs.append(ComponentSpec(str(entry["name"]).lower(), entry.get("description"), entry.get("group"), hidden))
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
        if spec.only_show_if_degraded is not None:
            component.only_show_if_degraded = spec.only_show_if_degraded
    # Never deleted (history refers to them): components no longer configured keep their order, after the rest.
    configured = {spec.name for spec in specs}
    retired = sorted((c for c in existing.values() if c.name not in configured), key=lambda c: (c.position, c.name))
    for position, component in enumerate(retired, start=len(specs)):
        component.position = position


def show_only_if_degraded(session: Session, names: list[str], value: bool) -> list[str]:
    """Set `only_show_if_degraded` of the named components; the names changed, or NotFound for an unknown one."""
    known = {c.name: c for c in session.scalars(select(Component))}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise NotFound(f'unknown component "{unknown[0]}" (known: {", ".join(sorted(known)) or "none"})')
    for name in names:
        known[name].only_show_if_degraded = value
    return names

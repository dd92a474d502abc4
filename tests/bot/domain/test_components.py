"""Components: the HERALD_COMPONENTS setting and the overall page status."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.domain.components import ComponentSpec, read_setting, sync
from bot.domain.models import Component
from bot.domain.vocabulary import page_indicator, worst
from bot.errors import ConfigError
from bot.store import db


def test_comma_list() -> None:
    """A comma list gives components in order, lower-cased."""
    assert [c.name for c in read_setting("App, admin,www")] == ["app", "admin", "www"]


def test_toml_file_with_groups(tmp_path: Path) -> None:
    """A TOML file gives descriptions and groups."""
    path = tmp_path / "components.toml"
    path.write_text('[[component]]\nname = "API"\ngroup = "Core"\ndescription = "REST API"\n')
    [spec] = read_setting(str(path))
    assert (spec.name, spec.group, spec.description) == ("api", "Core", "REST API")


def test_toml_only_show_if_degraded(tmp_path: Path) -> None:
    """`only_show_if_degraded = true` is read; left out, it is None (the value set with the CLI is kept); a value
    that is not a boolean fails naming HERALD_COMPONENTS."""
    path = tmp_path / "components.toml"
    path.write_text('[[component]]\nname = "wiki"\nonly_show_if_degraded = true\n[[component]]\nname = "app"\n')
    assert [c.only_show_if_degraded for c in read_setting(str(path))] == [True, None]
    path.write_text('[[component]]\nname = "wiki"\nonly_show_if_degraded = "yes"\n')
    with pytest.raises(ConfigError, match="HERALD_COMPONENTS: only_show_if_degraded of wiki"):
        read_setting(str(path))


def test_broken_toml_names_the_variable(tmp_path: Path) -> None:
    """An unreadable file fails naming HERALD_COMPONENTS."""
    path = tmp_path / "c.toml"
    path.write_text("[[component]\n")
    with pytest.raises(ConfigError, match="HERALD_COMPONENTS"):
        read_setting(str(path))


@pytest.mark.parametrize(("components", "impacts", "expected"), [
    (["operational"], [], "none"),
    (["operational", "degraded_performance"], [], "minor"),
    (["partial_outage", "degraded_performance"], [], "major"),
    (["major_outage"], ["minor"], "critical"),
    (["under_maintenance", "operational"], [], "maintenance"),
    (["operational"], ["major"], "major"),
])
def test_page_indicator(components: list[str], impacts: list[str], expected: str) -> None:
    """The page's indicator is the worse of its components and its open incidents' impacts."""
    assert page_indicator(components, impacts) == expected


def test_worst_of_nothing_is_operational() -> None:
    """No statuses means operational."""
    assert worst([]) == "operational"


def test_components_no_longer_configured_go_after_the_configured_ones(core: Core) -> None:
    """Components are never deleted (history refers to them); those no longer configured sort last."""
    with db.transaction(core.sessions) as session:
        sync(session, [ComponentSpec("api"), ComponentSpec("search")])
    with core.reading() as session:
        found = {c.name: c.position for c in session.scalars(select(Component))}
    assert found["api"] == 0 and found["search"] == 1
    assert sorted(found[n] for n in found if n not in ("api", "search")) == list(range(2, len(found)))

"""The composition root of Herald's core: config → engine, sessions, templates, publishers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from jinja2 import Environment
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import components, db, registry
from bot.config import Config
from bot.times import Clock
from bot.templating import make_environment
from publishers.base import PublisherContext

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything a command needs, built once per process."""

    config: Config
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    templates: Environment
    registry: registry.Registry

    @property
    def publisher_names(self) -> list[str]:
        """The channels every new update is queued for."""
        return self.registry.names


def build_core(config: Config, *, load_publishers: bool = True) -> Core:
    """Build the core from `config`; the schema must already be migrated."""
    clock = Clock(zone=config.timezone, hours=config.clock)
    engine = db.make_engine(config.database_url)
    sessions = db.make_sessionmaker(engine)
    templates = make_environment(clock, config.templates_dir)
    context = PublisherContext(config=config, templates=templates, clock=clock, sessions=sessions)
    reg = registry.load(config, context) if load_publishers else registry.Registry()
    core = Core(config, clock, engine, sessions, templates, reg)
    sync_components(core)
    return core


def sync_components(core: Core) -> None:
    """Make the components table match HERALD_COMPONENTS (adds and reorders; never deletes)."""
    specs = components.read_setting(core.config.components)
    if specs:
        with db.transaction(core.sessions) as session:
            components.sync(session, specs)

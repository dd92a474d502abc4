"""The composition root of Herald's core: config → engine, sessions, templates, publishers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from jinja2 import Environment
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.domain import components
from bot.plugins import registry
from bot.plugins.contract import PublisherContext
from bot.store import db
from bot.text.templating import make_environment
from bot.text.times import Clock

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
    readers: sessionmaker[Session] | None = None  # read-only sessions (see bot.store.db.make_readers)
    delivery_hooks: list[Callable[[Core, int], None]] = field(default_factory=list)

    def after_delivery(self, incident_id: int) -> None:
        """Tell every hook (e.g. the Slack receipts) that a delivery of `incident_id` changed state."""
        for hook in self.delivery_hooks:
            try:
                hook(self, incident_id)
            except Exception:  # a receipt that cannot be drawn must never stop deliveries; it is logged
                log.exception("delivery hook %r failed for incident #%s", hook, incident_id)

    def reading(self) -> Session:
        """A session for reads only, which never waits for (or holds up) a writer on SQLite."""
        return (self.readers or self.sessions)()

    @property
    def publisher_names(self) -> list[str]:
        """The channels every new update is queued for."""
        return self.registry.names


def build_core(config: Config, *, load_publishers: bool = True) -> Core:
    """Build the core from `config`; the schema must already be migrated."""
    clock = Clock(zone=config.timezone, hours=config.clock)
    engine = db.make_engine(config.database_url)
    sessions, readers = db.make_sessionmaker(engine), db.make_readers(engine)
    templates = make_environment(clock, config.templates_dir)
    # Publishers only read (the worker records their receipts), so they get read-only sessions.
    context = PublisherContext(config=config, templates=templates, clock=clock, sessions=readers)
    reg = registry.load(config, context) if load_publishers else registry.Registry()
    core = Core(config, clock, engine, sessions, templates, reg, readers=readers)
    sync_components(core)
    if config.slack_configured:  # receipts under the Slack card, in `herald serve` and `herald worker`
        from handlers.receipts import install

        install(core)
    if "statuspage" in reg.publishers:  # thread links reach incident pages once other channels have them
        from publishers.statuspage import install as install_links

        install_links(core)
    return core


def sync_components(core: Core) -> None:
    """Make the components table match HERALD_COMPONENTS (adds and reorders; never deletes)."""
    specs = components.read_setting(core.config.components)
    for attempt in range(3):
        try:
            with db.transaction(core.sessions) as session:
                components.sync(session, specs)
            return
        except IntegrityError:  # a `web` and a `worker` starting together both added the same rows
            if attempt == 2:
                raise

"""The kernel every process builds first: config → engine, sessions, templates, site store, publishers (bot/ only).

`build_core` wires nothing channel-specific: the one composition root, `herald.app`, adds the Slack
hooks (receipts, reminders) on top. A hook that fails is logged and counted in `hook_failures`, where
a test (or `/healthz`) can see it; it never stops a delivery.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.domain import components
from bot.plugins import registry
from bot.plugins.contract import PublisherContext
from bot.store import db
from bot.store.sites import make_store
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
    context: PublisherContext  # what every publisher is built with: read-only sessions and the channels
    readers: sessionmaker[Session] | None = None  # read-only sessions (see bot.store.db.make_readers)
    delivery_hooks: list[Callable[[Core, int], None]] = field(default_factory=list)
    # posts a bot.schedule.cadence.Reminder with its rendered message (Slack), answering "sent" or "refused"
    send_reminder: Callable[[Any, dict[str, Any]], str] | None = None
    hook_failures: Counter[str] = field(default_factory=Counter)

    def after_delivery(self, incident_id: int) -> None:
        """Tell every publisher's `after_delivery`, then every hook (e.g. the Slack receipts), that a delivery
        of `incident_id` changed state."""
        for name, publisher in self.registry.publishers.items():
            self.call_hook(f"{name}.after_delivery", publisher.after_delivery, incident_id)
        for hook in self.delivery_hooks:
            self.call_hook(getattr(hook, "__name__", repr(hook)), hook, self, incident_id)

    def call_hook(self, name: str, hook: Callable[..., object], *args: object) -> bool:
        """Run one hook; a failure is logged and counted under `name`, never raised (deliveries go on)."""
        try:
            hook(*args)
            return True
        except Exception:  # a receipt that cannot be drawn must never stop deliveries: logged and counted
            self.hook_failures[name] += 1
            log.exception("hook %s failed", name)
            return False

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
    templates = make_environment(clock, config.templates_dir, config.locale)
    # Publishers only read (the worker records their receipts), so they get read-only sessions.
    context = PublisherContext(config=config, templates=templates, clock=clock, sessions=readers,
                               site=make_store(config, engine))
    reg = registry.load(config, context) if load_publishers else registry.declare(context)
    core = Core(config, clock, engine, sessions, templates, reg, context, readers=readers)
    sync_components(core)
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

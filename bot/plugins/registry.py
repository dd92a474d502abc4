"""Finding publishers: built-ins and plugins alike come from the entry-point group `herald.publishers`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from bot.config import Config
from bot.plugins.contract import Publisher, PublisherContext

log = logging.getLogger(__name__)
GROUP = "herald.publishers"
ALWAYS_ON = ("statuspage",)
SANDBOXABLE = ("twitter", "forum", "slack")


@dataclass
class Registry:
    """The publishers enabled for this process, and those that failed to load."""

    publishers: dict[str, Publisher] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Names of the enabled publishers, in a stable order."""
        return list(self.publishers)

    def get(self, name: str) -> Publisher | None:
        """The publisher called `name`, if enabled."""
        return self.publishers.get(name)


def discover(only: tuple[str, ...] | None = None) -> tuple[dict[str, type[Publisher]], dict[str, str]]:
    """Publisher classes advertised in the entry-point group (all, or `only` these), and load errors."""
    found: dict[str, type[Publisher]] = {}
    broken: dict[str, str] = {}
    for ep in entry_points(group=GROUP):
        if only is not None and ep.name not in only:
            continue
        try:
            found[ep.name] = ep.load()
        except Exception as exc:  # a plugin's import error must not stop Herald; it is reported
            broken[ep.name] = f"failed to load: {type(exc).__name__}: {exc}"
    return found, broken


def wanted(config: Config, available: dict[str, type[Publisher]]) -> list[str]:
    """HERALD_PUBLISHERS if set; else the status page plus every publisher whose settings are present."""
    if config.publishers is not None:
        return list(dict.fromkeys(config.publishers))
    names = [n for n in ALWAYS_ON if n in available]
    for name, cls in available.items():
        if name in names:
            continue
        if (config.sandbox and name in SANDBOXABLE) or cls.configured(config):
            names.append(name)
    return names


def lacking(config: Config) -> dict[str, list[str]]:
    """Channels off for want of settings (label → the unset variables), when HERALD_PUBLISHERS leaves it to them."""
    if config.publishers is not None or config.sandbox:
        return {}
    available, _ = discover()
    return {cls.label: config.unset(*cls.settings) for name, cls in available.items()
            if name not in ALWAYS_ON and cls.settings and not cls.configured(config)}


def load(config: Config, context: PublisherContext,
         available: dict[str, type[Publisher]] | None = None) -> Registry:
    """Instantiate the wanted publishers; one that cannot load is reported and skipped."""
    registry = Registry()
    if available is None:
        available, registry.failures = discover(config.publishers)
    for name in wanted(config, available):
        cls = available.get(name)
        if cls is None:
            registry.failures.setdefault(name, "no such publisher (is its package installed?)")
            continue
        try:
            registry.publishers[name] = cls(_context_for(name, context))
        except Exception as exc:  # reported at start-up and skipped, as the SPEC asks
            registry.failures[name] = f"{type(exc).__name__}: {exc}"
    if config.sandbox:
        from bot.plugins.sandbox import wrap

        registry.publishers = wrap(context, registry.publishers)
    for name, why in registry.failures.items():
        log.error("publisher %s is disabled: %s", name, why)
    return registry


def _context_for(name: str, context: PublisherContext) -> PublisherContext:
    """In sandbox mode an external channel is built with placeholder credentials it never uses."""
    if not (context.config.sandbox and name in SANDBOXABLE):
        return context
    from dataclasses import replace

    from bot.plugins.sandbox import sandbox_config

    return replace(context, config=sandbox_config(context.config))

"""Finding publishers: built-ins and plugins alike come from the entry-point group `herald.publishers`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points

from bot.config import Config
from bot.plugins.contract import ChannelInfo, Publisher, PublisherContext
from bot.plugins.sandbox import sandbox_config, wrap

log = logging.getLogger(__name__)
GROUP = "herald.publishers"


@dataclass
class Registry:
    """The publishers enabled for this process, and those that failed to load."""

    publishers: dict[str, Publisher] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Names of the enabled publishers, in their declared order."""
        return list(self.publishers)

    def labels(self) -> dict[str, str]:
        """How people call each enabled channel ("Status page", "Twitter", …), by name."""
        return {name: p.label for name, p in self.publishers.items()}

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
    return [name for name, cls in available.items()
            if cls.always_on or (config.sandbox and cls.sandboxable) or cls.configured(config)]


def lacking(config: Config) -> dict[str, list[str]]:
    """Channels off for want of settings (label → the unset variables), when HERALD_PUBLISHERS leaves it to them."""
    if config.publishers is not None or config.sandbox:
        return {}
    available, _ = discover()
    return {cls.label: config.unset(*cls.settings) for name, cls in available.items()
            if not cls.always_on and cls.settings and not cls.configured(config)}


def load(config: Config, context: PublisherContext,
         available: dict[str, type[Publisher]] | None = None) -> Registry:
    """Instantiate the wanted publishers; one that cannot load is reported and skipped."""
    registry = Registry()
    if available is None:  # every installed class is read (their declarations); only the wanted are built
        available, broken = discover()
        registry.failures = {n: why for n, why in broken.items() if config.publishers is None or n in config.publishers}
    for name in wanted(config, available):
        cls = available.get(name)
        if cls is None:
            registry.failures.setdefault(name, "no such publisher (is its package installed?)")
            continue
        try:
            registry.publishers.update(build(cls, _context_for(cls, context)))
        except Exception as exc:  # reported at start-up and skipped, as the SPEC asks
            registry.failures[name] = f"{type(exc).__name__}: {exc}"
    if config.sandbox:
        registry.publishers = wrap(context, registry.publishers)
    registry.publishers = dict(sorted(registry.publishers.items(), key=lambda kv: (kv[1].order, kv[0])))
    context.channels.update(channels(available, registry.publishers))
    for name, why in registry.failures.items():
        log.error("publisher %s is disabled: %s", name, why)
    return registry


def build(cls: type[Publisher], context: PublisherContext) -> dict[str, Publisher]:
    """The instances of one publisher class by name: one, or one per target it declares (each site mirror),
    each naming itself after its target."""
    targets = cls.targets(context.config)
    if not targets:
        return {cls.name: cls(context)}
    built = [cls(replace(context, target=target)) for target in targets]
    return {p.name: p for p in built}


def declare(context: PublisherContext) -> Registry:
    """No publisher enabled, but every installed channel's declarations in `context.channels` (for a site
    build from the command line, which links the public threads other channels recorded)."""
    available, failures = discover()
    context.channels.update(channels(available, {}))
    return Registry(failures=failures)


def channels(available: dict[str, type[Publisher]], enabled: dict[str, Publisher]) -> dict[str, ChannelInfo]:
    """What every installed channel declares (enabled or not: a thread recorded while it was on is still
    public), the enabled ones as they are here; in their declared order."""
    found = {name: cls.declared() for name, cls in available.items()} | {n: p.info() for n, p in enabled.items()}
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


def _context_for(cls: type[Publisher], context: PublisherContext) -> PublisherContext:
    """In sandbox mode an outside channel is built with placeholder credentials it never uses (its context
    shares `channels` with every other publisher's)."""
    if not (context.config.sandbox and cls.sandboxable):
        return context
    return replace(context, config=sandbox_config(context.config))

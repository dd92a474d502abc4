"""Finding notifiers: built-ins and plugins alike come from the entry-point group `herald.notifiers`."""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points

from bot.plugins.contract import Notifier, PublisherContext

log = logging.getLogger(__name__)
GROUP = "herald.notifiers"


def load(context: PublisherContext) -> dict[str, Notifier]:
    """The notifiers whose settings are present, by channel name; one that fails to load is logged and skipped."""
    found: dict[str, Notifier] = {}
    for ep in entry_points(group=GROUP):
        try:
            cls = ep.load()
            if cls.configured(context.config):
                found[cls.name] = cls(context)
        except Exception as exc:  # a plugin's error must not stop the worker; it is reported
            log.error("notifier %s is disabled: %s: %s", ep.name, type(exc).__name__, exc)
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


def labels() -> dict[str, str]:
    """How receipts name each installed channel ("Email", "Webhooks"), enabled here or not."""
    return dict(_labels())


@functools.cache  # installed plugins do not change while a process runs; reading them costs ≈ 20 ms per reply
def _labels() -> dict[str, str]:
    found = {}
    for ep in entry_points(group=GROUP):
        try:
            cls = ep.load()
        except Exception:  # reported by `load`; a label falls back to the channel's name
            continue
        found[cls.name] = cls.label
    return found

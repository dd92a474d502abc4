"""A publisher plugin whose answers a test scripts, for unit tests of the paths that call plugins.

It is a real `bot.plugins.contract.Publisher`, added to a core's registry the way `registry.load` adds any
plugin: the plugin seam, not Herald's own code, is what it stands in for. Each `publish` records its call
and gives the next scripted answer — a Receipt to return or an exception to raise — or, with nothing
scripted, a receipt naming the update.
"""

from __future__ import annotations

from typing import ClassVar

from bot.core import Core
from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import Publisher, PublisherContext, Receipt, Rendered


class ScriptedPublisher(Publisher):
    """The channel "pager": renders `#<incident> u<number>: <body>`, publishes what the test scripted."""

    name: ClassVar[str] = "pager"
    label: ClassVar[str] = "Pager"

    def __init__(self, context: PublisherContext) -> None:
        super().__init__(context)
        self.answers: list[Receipt | Exception] = []
        self.calls: list[tuple[Event, Rendered, ThreadView | None]] = []

    def render(self, event: Event) -> Rendered:
        """Plain text naming the incident and update."""
        return Rendered(self.name, f"#{event.incident.id} u{event.update.number}: {event.update.body}")

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Record the call, then return or raise the next scripted answer."""
        self.calls.append((event, rendered, thread))
        answer = self.answers.pop(0) if self.answers else Receipt(
            external_id=f"p{event.incident.id}-{event.update.number}-{event.revision}")
        if isinstance(answer, Exception):
            raise answer
        return answer


def install(core: Core) -> ScriptedPublisher:
    """Enable the scripted channel on `core`, after the channels it already has."""
    plugin = ScriptedPublisher(core.context)
    core.registry.publishers[plugin.name] = plugin
    core.context.channels[plugin.name] = plugin.info()
    return plugin

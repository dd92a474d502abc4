"""The publisher interface: every channel Herald posts to is one small class of this shape.

Built-in and third-party publishers are found the same way, through the entry-point group
`herald.publishers` (see bot.plugins.registry). A publisher renders an Event purely (preview uses the same
call), then publishes what it rendered, given the incident's thread on that channel, and returns a
Receipt. Failures raise PublishError saying whether a retry could help.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from jinja2 import Environment
    from sqlalchemy.orm import Session, sessionmaker

    from bot.config import Config
    from bot.domain.snapshots import Event, ThreadView
    from bot.text.times import Clock


@dataclass(frozen=True)
class Rendered:
    """What one channel would receive for one event."""

    publisher: str
    text: str
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. {"weighted_length": 212}


@dataclass(frozen=True)
class Receipt:
    """What the channel answered: the post's id and URL, and the thread to continue from."""

    external_id: str | None = None
    url: str | None = None
    thread_first_id: str | None = None
    thread_last_id: str | None = None
    thread_url: str | None = None
    thread_data: dict[str, Any] = field(default_factory=dict)
    sandbox: bool = False


class PublishError(Exception):
    """A delivery failed; `retryable` says whether trying again later could succeed.

    `unknown` says the post may have landed all the same (a timeout, a connection lost after the
    request went out): its retry waits at least one publish timeout, so the channel's own duplicate
    check can see it. A refusal (an HTTP status came back, or the connection was never made) is not
    unknown, and its retry comes after the normal backoff alone.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None,
                 unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after  # seconds the channel asked us to wait, if it said
        self.unknown = unknown


@dataclass(frozen=True)
class PublisherContext:
    """What every publisher is built with (the composition root fills it once)."""

    config: Config
    templates: Environment
    clock: Clock
    sessions: sessionmaker[Session] | None = None


class Publisher(ABC):
    """One channel. Subclasses set `name` and implement render and publish."""

    name: ClassVar[str]
    label: ClassVar[str]  # how people call it: "Status page", "Twitter", …
    settings: ClassVar[tuple[str, ...]] = ()  # environment variables `configured` needs, named when it is off

    def __init__(self, context: PublisherContext) -> None:
        self.context = context

    @classmethod
    def configured(cls, config: Config) -> bool:
        """True when the settings this publisher needs are present."""
        return True

    @abstractmethod
    def render(self, event: Event) -> Rendered:
        """The message this channel would receive for `event`; pure, no I/O."""

    @abstractmethod
    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Send `rendered`, continuing `thread` when there is one; raise PublishError on failure."""

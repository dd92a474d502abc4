"""The publisher interface: every channel Herald posts to is one small class of this shape.

Built-in and third-party publishers are found the same way, through the entry-point group
`herald.publishers` (see bot.plugins.registry). A publisher renders an Event purely (preview uses the same
call), then publishes what it rendered, given the incident's thread on that channel, and returns a
Receipt. Failures raise PublishError saying whether a retry could help.

What a channel can do beyond that is declared on its class, never looked up by its name elsewhere:
`always_on`, `sandboxable`, `public_thread`, `tweets`, `writes_site`, `order`, `thread_name`, `post_format`,
`targets` (one lane per destination, as the site mirrors have), and the two optional hooks `after_delivery`
and `new_day`. The registry collects the declarations into `channels`,
which every publisher's context shares, so the status page knows which threads it may link to without
knowing Twitter or Discourse.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from bot.config import Config
from bot.plugins.site_store import (
    ASSET_MAX_AGE,
    CONTENT_TYPES,
    HASHED_ASSET,
    PAGE_MAX_AGE,
    Entry,
    MirrorTarget,
    SiteFile,
    SiteMirror,
    SiteStore,
    SyncResult,
    cache_control,
    content_type,
    is_immutable,
)

if TYPE_CHECKING:
    from jinja2 import Environment
    from sqlalchemy.orm import Session, sessionmaker

    from bot.domain.snapshots import Event, ThreadView
    from bot.text.times import Clock

__all__ = ["ASSET_MAX_AGE", "CONTENT_TYPES", "HASHED_ASSET", "PAGE_MAX_AGE", "ChannelInfo", "Config", "Entry",
           "MirrorTarget", "Notice", "NoticeResult", "Notifier", "PublishError", "Publisher", "PublisherContext",
           "Receipt", "Rendered", "SiteFile", "SiteMirror", "SiteStore", "SyncResult", "cache_control",
           "content_type", "is_immutable"]


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
class ChannelInfo:
    """What a channel declares about itself (class attributes of its publisher), for the others to read."""

    name: str
    label: str
    order: int = 50
    public_thread: bool = False
    thread_name: str = ""
    post_format: str = "plain"
    tweets: bool = False
    writes_site: bool = False


@dataclass(frozen=True)
class PublisherContext:
    """What every publisher is built with (the composition root fills it once).

    `sessions` are read-only (the worker records receipts); `channels` is every enabled channel's
    declaration, filled by the registry once all are loaded; `site` is where the status site lives (the store
    HERALD_SITE_STORE names); `target` is the destination of a publisher built once per target."""

    config: Config
    templates: Environment
    clock: Clock
    sessions: sessionmaker[Session] | None = None
    channels: dict[str, ChannelInfo] = field(default_factory=dict)
    site: SiteStore | None = None
    target: str | None = None


class Publisher(ABC):
    """One channel. Subclasses set `name` and implement render and publish."""

    name: str  # a publisher built per target (see `targets`) names its instance after the target
    label: str  # how people call it: "Status page", "Twitter", "S3 mirror", …
    settings: ClassVar[tuple[str, ...]] = ()  # environment variables `configured` needs, named when it is off
    always_on: ClassVar[bool] = False  # enabled unless HERALD_PUBLISHERS says otherwise (the status page)
    sandboxable: ClassVar[bool] = False  # an outside channel whose posts sandbox mode writes to files instead
    public_thread: ClassVar[bool] = False  # its thread is public: the status page links to it
    tweets: ClassVar[bool] = False  # its post ids are tweet ids (Statuspage's `tweet_id`)
    writes_site: ClassVar[bool] = False  # its deliveries write the site store (the mirrors wait for them)
    # Each delivery publishes the incident's whole state as read (a page, not a post), so the later deliveries
    # of that incident it already shows are recorded sent with it: a burst of updates is rendered once or twice.
    covers_later: ClassVar[bool] = False
    order: ClassVar[int] = 50  # where it comes in lists: receipts, previews, the sandbox pages
    thread_name: ClassVar[str] = ""  # what a reader calls its thread: "Tweet thread", "Forum thread"
    post_format: ClassVar[str] = "plain"  # how its posts read: plain (with links), markdown or mrkdwn

    def __init__(self, context: PublisherContext) -> None:
        self.context = context

    @classmethod
    def declared(cls) -> ChannelInfo:
        """What the class declares about its channel, whether or not it is enabled here."""
        return ChannelInfo(cls.name, cls.label, cls.order, cls.public_thread, cls.thread_name, cls.post_format,
                           cls.tweets, cls.writes_site)

    def info(self) -> ChannelInfo:
        """What this enabled channel declares (a wrapper, such as the sandbox, may say more)."""
        return replace(self.declared(), name=self.name, label=self.label)

    @classmethod
    def targets(cls, config: Config) -> tuple[str, ...]:
        """The destinations this channel keeps one lane each for, built with `context.target` set (the site
        mirrors: one per HERALD_SITE_MIRRORS entry); () for a channel with one lane, named `name`."""
        return ()

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

    def after_delivery(self, incident_id: int) -> None:  # noqa: B027 (optional hook: a no-op by default)
        """A delivery of incident `incident_id` to some channel changed state (e.g. a thread was recorded)."""

    def new_day(self, now: datetime) -> None:  # noqa: B027 (optional hook: a no-op by default)
        """Local midnight passed in the display zone (e.g. the status page's Past moves on a day)."""


@dataclass(frozen=True)
class Notice:
    """One message to one subscriber (docs/subscribers.md): a confirmation (`event` None) or an update.

    `id` is the notification's, the same on every retry: a message id or `webhook-id` built from it lets
    the receiver recognise a message sent twice (after a crash between sending and recording)."""

    id: int
    kind: str  # confirm | update
    address: str  # an email address, or a webhook URL
    unsubscribe_url: str
    confirm_url: str | None = None
    secret: str | None = None  # a webhook's signing secret (whsec_…)
    components: tuple[str, ...] = ()  # what the subscriber chose; () is every component
    event: Event | None = None
    thread_root: int | None = None  # the id of the subscriber's first notice about this incident
    indicator: str = "none"  # the page's indicator when the notice was claimed (Statuspage's `page`)


@dataclass(frozen=True)
class NoticeResult:
    """How one notice went: sent (no error), or a PublishError saying whether to retry; `gone` when the
    address no longer exists (SMTP 550 user unknown, HTTP 410): the subscriber is disabled at once;
    `untried` when it was never attempted (an earlier notice of the batch lost the connection): it goes
    back to the queue without counting an attempt."""

    notice_id: int
    error: PublishError | None = None
    gone: bool = False
    sandbox: bool = False
    untried: bool = False


class Notifier(ABC):
    """A subscriber channel: sends notices in batches, e.g. over one SMTP connection. Found, like publishers,
    through an entry-point group (`herald.notifiers`); each gets a worker lane of its own."""

    name: ClassVar[str]  # the subscribers' channel it serves: email, webhook
    label: ClassVar[str]  # how receipts call it: "Email", "Webhooks"
    order: ClassVar[int] = 50
    batch_size: ClassVar[int] = 100  # notices claimed at once

    def __init__(self, context: PublisherContext) -> None:
        self.context = context

    @classmethod
    def configured(cls, config: Config) -> bool:
        """True when the settings this channel needs are present."""
        return True

    @abstractmethod
    def send_batch(self, notices: Sequence[Notice], report: Callable[[NoticeResult], None]) -> None:
        """Send every notice, calling `report` as soon as each outcome is known (so a crash mid-batch leaves
        as little as possible sent but unrecorded); a notice that raises nothing and is not reported is retried."""

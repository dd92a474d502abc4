"""What the grammar parses `/incident` text into: one frozen dataclass per subcommand (bot.text.grammar).

Times stay strings for the time parser; messages stay as typed (Slack mrkdwn, cleaned of control
characters); statuses, impacts and names are checked for form only. The domain checks the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class ComponentChange:
    """A component named in `-c`, with the status to give it (None: the domain decides)."""

    name: str
    status: str | None = None


@dataclass(frozen=True)
class OpenModal:
    """Bare `/incident`: open the Declare modal."""


@dataclass(frozen=True)
class Help:
    """Show the usage of every subcommand, or of one."""

    topic: str | None = None


@dataclass(frozen=True)
class Open:
    """Declare an incident and publish its first update."""

    title: str
    components: tuple[ComponentChange, ...] = ()
    impact: str | None = None
    status: str | None = None
    at: str | None = None
    message: str | None = None
    dry_run: bool = False
    publish: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Update:
    """Post an update to an incident or maintenance."""

    incident: int
    status: str | None = None
    components: tuple[ComponentChange, ...] = ()
    at: str | None = None
    message: str | None = None
    dry_run: bool = False
    publish: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Resolve:
    """Resolve an incident; its components return to operational."""

    incident: int
    message: str | None = None
    at: str | None = None
    dry_run: bool = False
    publish: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Reopen:
    """Reopen a resolved incident: it returns to `status` and its components to their outage."""

    incident: int
    status: str | None = None
    message: str | None = None
    dry_run: bool = False
    publish: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Maintenance:
    """Schedule a maintenance window; `auto` lets the worker start and complete it."""

    title: str
    starts: str
    ends: str
    components: tuple[ComponentChange, ...] = ()
    message: str | None = None
    auto: bool = True
    dry_run: bool = False
    publish: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Start:
    """Move a maintenance window to in_progress by hand."""

    incident: int
    at: str | None = None
    message: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class Complete:
    """Move a maintenance window to completed by hand."""

    incident: int
    at: str | None = None
    message: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class Extend:
    """Move the end of a maintenance window."""

    incident: int
    to: str
    message: str | None = None


@dataclass(frozen=True)
class Edit:
    """Correct a published update (the latest one when `update_number` is None)."""

    incident: int
    update_number: int | None
    message: str


@dataclass(frozen=True)
class Preview:
    """Show what each channel would receive; publishes nothing."""

    incident: int | None
    message: str
    status: str | None = None
    components: tuple[ComponentChange, ...] = ()


@dataclass(frozen=True)
class ListIncidents:
    """List open, upcoming or all incidents."""

    which: str = "open"


@dataclass(frozen=True)
class Show:
    """Summarise one incident with delivery state per channel."""

    incident: int


@dataclass(frozen=True)
class Retry:
    """Re-queue an incident's failed deliveries."""

    incident: int


@dataclass(frozen=True)
class Components:
    """List components and their status."""


@dataclass(frozen=True)
class Subscribers:
    """Count subscribers per channel and component."""


Command: TypeAlias = (
    OpenModal | Help | Open | Update | Resolve | Reopen | Maintenance | Start | Complete | Extend | Edit
    | Preview | ListIncidents | Show | Retry | Components | Subscribers
)

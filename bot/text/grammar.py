"""The one parser for `/incident` text, shared by the slash command and `herald incident …`.

`parse(text)` turns the text after `/incident` into one of the frozen command dataclasses below,
or raises `UsageError` saying what was wrong together with the usage line of the subcommand.
It checks form only: statuses against the union of both kinds, component and channel names by
shape. Times stay strings for the time formatter; messages stay raw Slack mrkdwn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from bot.domain import vocabulary as v
from bot.errors import UsageError
from bot.text.sanitize import clean
from bot.text.tokens import MAX_MESSAGE as MAX_MESSAGE
from bot.text.tokens import MAX_TITLE as MAX_TITLE
from bot.text.tokens import Scan, scan, suggest, tokenize


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


Command: TypeAlias = (
    OpenModal | Help | Open | Update | Resolve | Reopen | Maintenance | Start | Complete | Extend | Edit
    | Preview | ListIncidents | Show | Retry | Components
)

_PUBLISH = "[--publish statuspage,twitter] [--dry-run]"
_TIME = "[--at TIME]"
# Usage lines without the front end's prefix: Slack shows `/incident open …`, the CLI `herald incident open …`.
USAGE: dict[str, str] = {
    "open": f"open TITLE [-c app,admin] [-i IMPACT] [-s STATUS] {_TIME} {_PUBLISH} [-m MESSAGE…]",
    "update": f"update ID [-s STATUS] [-c app:major_outage,admin] {_TIME} {_PUBLISH} [-m] MESSAGE…",
    "resolve": f"resolve ID [--at TIME] {_PUBLISH} [[-m] MESSAGE…]",
    "reopen": f"reopen ID [-s investigating] {_PUBLISH} [[-m] MESSAGE…]",
    "maintenance": f"maintenance TITLE --from TIME --to TIME [-c app,admin] [--no-auto] {_PUBLISH} [-m MESSAGE…]",
    "start": "start ID [--at TIME] [--dry-run] [[-m] MESSAGE…]",
    "complete": "complete ID [--at TIME] [--dry-run] [[-m] MESSAGE…]",
    "extend": "extend ID --to TIME [[-m] MESSAGE…]",
    "edit": "edit ID [UPDATE_NO] -m TEXT…",
    "preview": "preview [ID] [-s STATUS] [-c app:major_outage] -m TEXT…",
    "list": "list [open|upcoming|all]",
    "show": "show ID",
    "retry": "retry ID",
    "components": "components",
    "help": "help [SUBCOMMAND]",
}
GENERAL_USAGE = f"[{'|'.join(USAGE)}] …"

_ALLOWED = {
    "open": {"components", "impact", "status", "at", "message", "dry-run", "publish"},
    "update": {"status", "components", "at", "message", "dry-run", "publish"},
    "resolve": {"at", "message", "dry-run", "publish"},
    "reopen": {"status", "message", "dry-run", "publish"},
    "maintenance": {"from", "to", "components", "message", "no-auto", "dry-run", "publish"},
    "start": {"at", "message", "dry-run"},
    "complete": {"at", "message", "dry-run"},
    "extend": {"to", "message"},
    "edit": {"message"},
    "preview": {"message", "status", "components"},
}


def parse(text: str) -> Command:
    """Parse the text after `/incident` (or `herald incident`) into a command."""
    if "\x00" in text:
        raise UsageError("text contains a NUL byte", GENERAL_USAGE)
    text = clean(text)
    tokens = tokenize(text)
    if not tokens:
        return OpenModal()
    command = _subcommand(tokens[0].text)
    allowed = _ALLOWED.get(command, set())
    found = scan(text, tokens[1:], command=command, allowed=allowed, usage=USAGE[command])
    return _BUILDERS[command](found)


def help_lines(topic: str | None = None) -> list[str]:
    """Every usage line, or the one for `topic` (without the front end's prefix)."""
    if topic is None:
        return list(USAGE.values())
    return [USAGE[_subcommand(topic)]]


def _subcommand(word: str) -> str:
    """The subcommand a word names, case-insensitively; unknown names raise with a suggestion."""
    name = word.lower()
    if name not in USAGE:
        raise UsageError(f'unknown subcommand "{word}"{suggest(name, list(USAGE))}', GENERAL_USAGE)
    return name


def _status(args: Scan) -> str | None:
    """The -s status, if given; it must be a status of either kind."""
    value = args.value("status")
    return None if value is None else args.choice(value, v.INCIDENT_STATUSES + v.MAINTENANCE_STATUSES, "status")


def _impact(args: Scan) -> str | None:
    """The -i impact, if given."""
    value = args.value("impact")
    return None if value is None else args.choice(value, v.IMPACTS, "impact")


def _components(args: Scan) -> tuple[ComponentChange, ...]:
    """The -c components, each written `name` or `name:status`."""
    return tuple(
        ComponentChange(name, args.choice(status, v.COMPONENT_STATUSES, "component status") if status else None)
        for name, status in args.names("components", "component")
    )


def _publish(args: Scan) -> tuple[str, ...] | None:
    """The --publish channel subset; None means every enabled channel."""
    pairs = args.names("publish", "channel")
    if any(rest for _, rest in pairs):
        raise args.fail("--publish takes channel names only, e.g. statuspage,twitter")
    return tuple(name for name, _ in pairs) or None


def _incident_id(args: Scan) -> int:
    """The incident id, which must be the first free word."""
    token = args.word(0)
    if token is None:
        raise args.fail(f"{args.command} needs an incident id")
    return args.number(token, "an incident id")


def _open(args: Scan) -> Open:
    """`open TITLE …`: every free word belongs to the title."""
    return Open(
        title=args.title(), components=_components(args), impact=_impact(args), status=_status(args),
        at=args.value("at"), message=args.message(), dry_run=args.flag("dry-run"), publish=_publish(args),
    )


def _update(args: Scan) -> Update:
    """`update ID …`: free words after the id are the message."""
    update = Update(
        incident=_incident_id(args), status=_status(args), components=_components(args),
        at=args.value("at"), message=args.message(after=1), dry_run=args.flag("dry-run"),
        publish=_publish(args),
    )
    if update.message is None and update.status is None and not update.components:
        raise args.fail("update needs a message, -s STATUS or -c COMPONENTS")
    return update


def _resolve(args: Scan) -> Resolve:
    """`resolve ID [MESSAGE…]`."""
    return Resolve(
        incident=_incident_id(args), message=args.message(after=1), at=args.value("at"),
        dry_run=args.flag("dry-run"), publish=_publish(args),
    )


def _reopen(args: Scan) -> Reopen:
    """`reopen ID [-s STATUS] [MESSAGE…]`."""
    return Reopen(
        incident=_incident_id(args), status=_status(args), message=args.message(after=1),
        dry_run=args.flag("dry-run"), publish=_publish(args),
    )


def _maintenance(args: Scan) -> Maintenance:
    """`maintenance TITLE --from … --to …`: every free word belongs to the title."""
    return Maintenance(
        title=args.title(), starts=args.required("from", "TIME"), ends=args.required("to", "TIME"),
        components=_components(args), message=args.message(), auto=not args.flag("no-auto"),
        dry_run=args.flag("dry-run"), publish=_publish(args),
    )


def _start(args: Scan) -> Start:
    """`start ID [MESSAGE…]`."""
    return Start(_incident_id(args), args.value("at"), args.message(after=1), args.flag("dry-run"))


def _complete(args: Scan) -> Complete:
    """`complete ID [MESSAGE…]`."""
    return Complete(_incident_id(args), args.value("at"), args.message(after=1), args.flag("dry-run"))


def _extend(args: Scan) -> Extend:
    """`extend ID --to TIME [MESSAGE…]`."""
    return Extend(_incident_id(args), args.required("to", "TIME"), args.message(after=1))


def _edit(args: Scan) -> Edit:
    """`edit ID [UPDATE_NO] -m TEXT…`."""
    incident, second = _incident_id(args), args.word(1)
    args.no_more(2)
    number = None if second is None else args.number(second, "an update number")
    return Edit(incident, number, args.required_message())


def _preview(args: Scan) -> Preview:
    """`preview [ID] -m TEXT…`."""
    incident = None if args.word(0) is None else _incident_id(args)
    args.no_more(1)
    return Preview(incident, args.required_message(), _status(args), _components(args))


def _list(args: Scan) -> ListIncidents:
    """`list [open|upcoming|all]`."""
    args.no_more(1)
    word = args.word(0)
    return ListIncidents("open" if word is None else args.choice(word.text, v.LIST_SCOPES, "list scope"))


def _show(args: Scan) -> Show:
    """`show ID`."""
    args.no_more(1)
    return Show(_incident_id(args))


def _retry(args: Scan) -> Retry:
    """`retry ID`."""
    args.no_more(1)
    return Retry(_incident_id(args))


def _components_command(args: Scan) -> Components:
    """`components`."""
    args.no_more(0)
    return Components()


def _help(args: Scan) -> Help:
    """`help [SUBCOMMAND]`."""
    args.no_more(1)
    word = args.word(0)
    return Help(None if word is None else _subcommand(word.text))


_BUILDERS: dict[str, Callable[[Scan], Command]] = {
    "open": _open, "update": _update, "resolve": _resolve, "reopen": _reopen, "maintenance": _maintenance,
    "start": _start, "complete": _complete, "extend": _extend, "edit": _edit, "preview": _preview,
    "list": _list, "show": _show, "retry": _retry, "components": _components_command, "help": _help,
}

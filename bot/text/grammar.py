"""The one parser for `/incident` text, shared by the slash command and `herald incident …`.

`parse(text)` turns the text after `/incident` into one of the frozen dataclasses of bot.text.parsed,
or raises `UsageError` saying what was wrong together with the usage line of the subcommand.
It checks form only: statuses against the union of both kinds, component and channel names by
shape. Times stay strings for the time formatter; messages stay raw Slack mrkdwn.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain import vocabulary as v
from bot.errors import UsageError
from bot.text.parsed import (
    Command,
    Complete,
    ComponentChange,
    Components,
    Edit,
    Extend,
    Help,
    ListIncidents,
    Maintenance,
    Open,
    OpenModal,
    Preview,
    Reopen,
    Resolve,
    Retry,
    Show,
    Start,
    Subscribers,
    Update,
)
from bot.text.sanitize import clean
from bot.text.scan import MAX_MESSAGE, MAX_TITLE, Scan, scan
from bot.text.tokens import suggest, tokenize
from bot.text.usage import GENERAL_USAGE, USAGE
from bot.text.usage import help_lines as _usage_lines

__all__ = [
    "Command", "Complete", "ComponentChange", "Components", "Edit", "Extend", "GENERAL_USAGE", "Help",
    "ListIncidents", "MAX_MESSAGE", "MAX_TITLE", "Maintenance", "Open", "OpenModal", "Preview", "Reopen",
    "Resolve", "Retry", "Show", "Start", "Subscribers", "USAGE", "Update", "help_lines", "parse",
]


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
    """Every usage line, or the one for `topic` (without the front end's prefix); an unknown topic raises."""
    return _usage_lines(None if topic is None else _subcommand(topic))


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


def _subscribers(args: Scan) -> Subscribers:
    """`subscribers`."""
    args.no_more(0)
    return Subscribers()


def _help(args: Scan) -> Help:
    """`help [SUBCOMMAND]`."""
    args.no_more(1)
    word = args.word(0)
    return Help(None if word is None else _subcommand(word.text))


_BUILDERS: dict[str, Callable[[Scan], Command]] = {
    "open": _open, "update": _update, "resolve": _resolve, "reopen": _reopen, "maintenance": _maintenance,
    "start": _start, "complete": _complete, "extend": _extend, "edit": _edit, "preview": _preview,
    "list": _list, "show": _show, "retry": _retry, "components": _components_command, "help": _help,
    "subscribers": _subscribers,
}

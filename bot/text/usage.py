"""The usage line of every `/incident` subcommand, without the front end's prefix (Slack shows
`/incident open …`, the CLI `herald incident open …`)."""

from __future__ import annotations

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
    "subscribers": "subscribers",
    "help": "help [SUBCOMMAND]",
}
GENERAL_USAGE = f"[{'|'.join(USAGE)}] …"


def help_lines(topic: str | None = None) -> list[str]:
    """Every usage line, or the one for the subcommand `topic` (already checked to be one)."""
    return list(USAGE.values()) if topic is None else [USAGE[topic]]

"""Reading settings whose value is more than one word: comma lists, update cadences, mail addresses and URLs.

Each raises ValueError with what a good value looks like; bot.config turns that into a ConfigError naming
the variable.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from bot.domain.vocabulary import IMPACTS


def split_list(value: Any) -> tuple[str, ...]:
    """A comma list (`app,admin`) as its trimmed, non-empty parts."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(value)


def parse_cadence(value: str | int) -> dict[str, int]:
    """`30` or `critical=15,major=30,minor=60` (a bare number sets the default) as {impact: minutes}."""
    cadence: dict[str, int] = {}
    for part in split_list(str(value)):
        impact, _, minutes = part.rpartition("=")
        if not minutes.strip().isdigit() or impact.strip() not in ("", *IMPACTS):
            raise ValueError(f"{part!r} is not [impact=]minutes: use 30 or critical=15,major=30,minor=60")
        cadence[impact.strip() or "*"] = int(minutes)
    return cadence


def smtp_url(value: str | None) -> str | None:
    """HERALD_SMTP_URL: smtp://[user:password@]host[:587] (STARTTLS) or smtps://…; None when unset."""
    if value and (urlsplit(value).scheme not in ("smtp", "smtps") or not urlsplit(value).hostname):
        raise ValueError("must be smtp://[user:password@]host[:587] (STARTTLS) or smtps://…[:465]")
    return value or None


def sender(value: str | None) -> str | None:
    """HERALD_MAIL_FROM: one address, with or without a display name, on one line; None when unset."""
    if value and "@" not in parseaddr(value)[1] or value and any(c in value for c in "\r\n"):
        raise ValueError("must be an address, e.g. status@example.com or Example Status <status@example.com>")
    return value or None

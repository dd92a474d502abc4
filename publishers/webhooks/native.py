"""Slack and Discord incoming webhooks get a message in their own format instead of Statuspage's JSON.

They are told apart by their path, whatever the host (Slack: `/services/T…/B…/secret`; Discord:
`/api/webhooks/<id>/<token>`), so Enterprise Grid, canary and test hosts are recognised too.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from bot.plugins.contract import Config, Notice

SLACK = re.compile(r"^/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+/?$")
DISCORD = re.compile(r"^/api(/v\d+)?/webhooks/\d+/[A-Za-z0-9_-]+/?$")


def kind_of(url: str) -> str:
    """`slack`, `discord` or `statuspage` (the signed Statuspage-shaped JSON)."""
    path = urlsplit(url).path
    if SLACK.match(path):
        return "slack"
    if DISCORD.match(path):
        return "discord"
    return "statuspage"


def message(kind: str, notice: Notice, *, templates: Environment, config: Config) -> dict[str, Any]:
    """The Slack or Discord message for `notice`, rendered from templates/webhooks/<kind>.j2 (JSON)."""
    assert notice.event is not None
    text = templates.get_template(f"webhooks/{kind}.j2").render(
        incident=notice.event.incident, update=notice.event.update, page=config.page_name, notice=notice)
    found: dict[str, Any] = json.loads(text)
    return found

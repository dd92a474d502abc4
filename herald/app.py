"""The one composition root: `create_core(config)` for every process, `create_app(config)` for the web.

bot.core.build_core builds what every process shares and knows no channel; here the Slack side is wired
on when Slack is configured — the card and receipts redrawn after every delivery (handlers.card), the
update reminders posted by the scheduler (handlers.reminders) — so `herald worker`, `herald serve`,
the CLI and the demo all get the same core. `create_app` adds the Bolt app for the web process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Config
from bot.core import Core, build_core
from handlers import card, reminders
from handlers.client import web_client

if TYPE_CHECKING:
    from handlers.context import SlackApp


@dataclass
class App:
    """A web process's parts: the core, and the Slack app when Slack is configured."""

    config: Config
    core: Core
    slack: SlackApp | None


def create_core(config: Config, *, load_publishers: bool = True) -> Core:
    """The core for `config`, with the Slack hooks on when Slack is configured."""
    core = build_core(config, load_publishers=load_publishers)
    core.templates.globals["subscriptions"] = config.mail_configured  # the page's subscribe form (docs/subscribers.md)
    if config.slack_configured:
        client = web_client(config)
        core.delivery_hooks.append(card.delivery_hook(client))
        core.send_reminder = reminders.poster(client)
    return core


def create_app(config: Config) -> App:
    """Everything `herald serve` runs: the core and, when configured, the Slack app."""
    from herald.slack import create_slack_app  # Bolt: only a web process loads it, never `herald worker`

    core = create_core(config)
    return App(config, core, create_slack_app(config, core) if config.slack_configured else None)

"""The Slack side's composition root: `create_app(config)` builds the core, the Bolt app and its executors.

The Bolt app runs with `process_before_response=True`: a listener verifies, parses, commits and
returns the reply as the HTTP response itself, with no 10 ms ack poll. Every Slack Web API call
(card, receipts, response_url posts) goes to `background`, which runs after the response; opening a
modal goes to `modals`, a separate executor, so a trigger id (valid 3 s) never waits behind slow work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Config
from bot.core import Core, build_core
from bot.errors import ConfigError
from bot.store.db import unreachable
from bot.text import mrkdwn
from handlers.once import OnceApp  # replays answered, not re-run (SPEC §6)

log = logging.getLogger(__name__)


@dataclass
class SlackApp:
    """Everything a Slack listener needs: the core, the Bolt app, a Web API client and the executors."""

    core: Core
    bolt: App
    client: WebClient
    allow: Any  # handlers.allow.AllowList (typed loosely: handlers import this module)
    background: ThreadPoolExecutor
    modals: ThreadPoolExecutor

    def later(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run `work` after the HTTP response, logging (never hiding) any failure."""
        return self.background.submit(_logged, work, *args)

    def soon(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run `work` now, beside the request (for views.open within the trigger's 3 s)."""
        return self.modals.submit(_logged, work, *args)

    def shutdown(self) -> None:
        """Finish queued Slack calls and stop the executors."""
        self.modals.shutdown(wait=True)
        self.background.shutdown(wait=True)


def _logged(work: Callable[..., Any], *args: Any) -> Any:
    try:
        return work(*args)
    except Exception as exc:  # a background Slack call has no caller to raise to: the log is where it shows
        name = getattr(work, "__name__", work)
        if unreachable(exc):  # an outage is one line, not a traceback per card
            log.warning("background Slack work %s failed: the database is unreachable (%s)", name,
                        type(exc).__name__)
        else:
            log.exception("background Slack work %s failed", name)
        raise


class _SameToken(logging.Filter):
    """Drop Bolt's "token will be unused" warning: it reads SLACK_BOT_TOKEN itself, and it is our client's token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def web_client(config: Config) -> WebClient:
    """A Web API client for the bot token, pointed at SLACK_API_URL."""
    token = config.slack_bot_token.get_secret_value() if config.slack_bot_token else None
    base = config.slack_api_url if config.slack_api_url.endswith("/") else config.slack_api_url + "/"
    return WebClient(token=token, base_url=base, timeout=15)


def create_app(config: Config, core: Core | None = None) -> SlackApp:
    """Build the Slack app for `config` (which must have Slack settings) with every listener registered."""
    from handlers import register
    from handlers.allow import AllowList

    if not config.slack_configured:
        raise ConfigError("Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
                          "(or SLACK_APP_TOKEN for Socket Mode)")
    core = core or build_core(config)
    mrkdwn.register_filters(core.templates)
    client = web_client(config)
    secret = config.slack_signing_secret.get_secret_value() if config.slack_signing_secret else None
    bolt_log = logging.getLogger("herald.bolt")
    bolt_log.addFilter(_SameToken())
    bolt = OnceApp(core=core, client=client, signing_secret=secret, process_before_response=True,
                   request_verification_enabled=secret is not None, logger=bolt_log)
    app = SlackApp(core=core, bolt=bolt, client=client, allow=AllowList(config, client),
                   background=ThreadPoolExecutor(4, thread_name_prefix="slack-after"),
                   modals=ThreadPoolExecutor(2, thread_name_prefix="slack-modal"))
    if config.publishing_open:
        log.warning("publishing is open to everyone in Slack: set HERALD_ALLOWED_USERS, "
                    "HERALD_ALLOWED_GROUPS or HERALD_ALLOWED_CHANNELS to restrict it")
    app.allow.warm(app)
    register(bolt, app)
    return app

"""Building the Slack app: the Bolt app (with replays answered once), its Web API client, its executors.

The Bolt app runs with `process_before_response=True`: a listener verifies, parses, commits and returns
the reply as the HTTP response itself, with no 10 ms ack poll. Every Slack Web API call (card,
receipts, response_url posts) goes to the `background` executor, which runs after the response; opening
a modal goes to `modals`, so a trigger id (valid 3 s) never waits behind slow work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt.authorization import AuthorizeResult

from bot.config import Config
from bot.core import Core
from bot.errors import ConfigError
from handlers import register
from handlers.allow import AllowList
from handlers.client import web_client
from handlers.context import SlackApp
from handlers.once import OnceApp  # replays answered, not re-run (SPEC §6)

log = logging.getLogger(__name__)


class _SameToken(logging.Filter):
    """Drop Bolt's "token will be unused" warning: it reads SLACK_BOT_TOKEN itself, and it is our client's token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def one_workspace(token: str | None) -> Callable[..., AuthorizeResult]:
    """Bolt's authorize for one workspace and one bot token, with no `auth.test` call: Bolt's default asks
    Slack at start-up, so a Slack outage or a revoked token would stop the web process and the status page."""

    def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token)

    return authorize


def create_slack_app(config: Config, core: Core) -> SlackApp:
    """The Slack app for `config` (which must have Slack settings) on `core`, with every listener registered."""
    if not config.slack_configured:
        raise ConfigError("Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
                          "(or SLACK_APP_TOKEN for Socket Mode)")
    client = web_client(config)
    secret = config.slack_signing_secret.get_secret_value() if config.slack_signing_secret else None
    bolt_log = logging.getLogger("herald.bolt")
    bolt_log.addFilter(_SameToken())
    bolt = OnceApp(core=core, client=client, signing_secret=secret, process_before_response=True,
                   authorize=one_workspace(client.token), request_verification_enabled=secret is not None,
                   logger=bolt_log)
    app = SlackApp(core=core, bolt=bolt, client=client, allow=AllowList(config, client),
                   background=ThreadPoolExecutor(4, thread_name_prefix="slack-after"),
                   modals=ThreadPoolExecutor(2, thread_name_prefix="slack-modal"))
    if config.publishing_open:
        log.warning("publishing is open to everyone in Slack: set HERALD_ALLOWED_USERS, "
                    "HERALD_ALLOWED_GROUPS or HERALD_ALLOWED_CHANNELS to restrict it")
    app.allow.warm()
    register(app)
    return app

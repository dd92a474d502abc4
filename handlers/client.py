"""The Slack Web API client Herald's bot token speaks through (slack_sdk only: no Bolt, for the worker too)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.config import Config


def web_client(config: Config) -> WebClient:
    """A Web API client for the bot token, pointed at SLACK_API_URL."""
    token = config.slack_bot_token.get_secret_value() if config.slack_bot_token else None
    base = config.slack_api_url if config.slack_api_url.endswith("/") else config.slack_api_url + "/"
    return WebClient(token=token, base_url=base, timeout=15)

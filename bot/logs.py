"""Logging for the `herald` command: one format, and no secret in any line, even with `-v`.

`-v` turns on DEBUG for every library, and some of them log what they send: oauthlib and
requests_oauthlib log the OAuth 1.0a parameters and Authorization header of every tweet (the consumer
key and access token among them). Those two are held at INFO, where they say nothing, and every
record that reaches the handlers passes `Redact`, which replaces each secret value of the config
(SLACK_*, TWITTER_*, DISCOURSE_API_KEY, a DATABASE_URL password, …) with `***`, in the message and in
a traceback alike.
"""

from __future__ import annotations

import logging

from bot.config import Config

CHATTY = ("oauthlib", "requests_oauthlib")  # log OAuth parameters and headers at DEBUG
MASK = "***"
MIN_SECRET = 4  # shorter values would mask ordinary words


def setup(*, verbose: bool) -> None:
    """Configure the root logger for the command line; keep the chatty OAuth loggers quiet even with -v."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.INFO)


class Redact(logging.Filter):
    """Replaces every known secret in a record with ***."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message (and traceback text) without the secrets; never drop it."""
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            record.msg, record.args = self._masked(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._masked(record.exc_text)
        return True

    def _masked(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def redact(config: Config) -> None:
    """Install (or refresh) a Redact filter with `config`'s secrets on every root handler."""
    secrets = config.secret_values()
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, Redact)]:
            handler.removeFilter(old)
        handler.addFilter(Redact(secrets))

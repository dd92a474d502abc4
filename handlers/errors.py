"""The one Slack error handler: Herald's errors become a clear private message, anything else a reference.

A usage or domain error shows its message and the usage line; an unreachable database says so ("your
command was not saved — try again", one log line) and marks the answer as not to be replayed, so a
retry runs again (handlers.once); an unexpected error shows "something went wrong (ref …)" and logs
the traceback under that reference. Slash commands get the answer in the HTTP response, modals get
it on the form, buttons get it through their response_url.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltResponse

from bot.errors import HeraldError
from bot.store.db import unreachable
from bot.text.templating import render
from handlers.once import TRANSIENT
from handlers.run import respond_later

if TYPE_CHECKING:
    from handlers.context import SlackApp

log = logging.getLogger("herald.slack")


def handler(app: SlackApp) -> Callable[..., BoltResponse]:
    """The @app.error listener bound to `app`."""

    def handle_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """Turn `error` into what the person sees, for every kind of request."""
        text = describe(app, error)
        headers: dict[str, str | Sequence[str]] = {TRANSIENT: "1"} if unreachable(error) else {}
        kind = body.get("type")
        if kind == "view_submission":
            return _json({"response_action": "errors", "errors": {"message": text[:1900]}}, headers)
        if kind == "block_actions":
            respond_later(app, body.get("response_url"), text)
            return BoltResponse(status=200, body="", headers=headers)
        return _json({"response_type": "ephemeral", "text": text}, headers)

    return handle_error


def describe(app: SlackApp, error: Exception) -> str:
    """The message for `error`; unexpected ones are logged with a short reference."""
    if isinstance(error, HeraldError):
        return render(app.core.templates, "slack/error.j2", error=error, usage=getattr(error, "usage", ""))
    if unreachable(error):
        log.error("the database is unreachable; a Slack request was refused: %s",
                  str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__)
        return render(app.core.templates, "slack/database_down.j2")
    ref = secrets.token_hex(3).upper()
    log.error("unexpected error (ref %s)", ref, exc_info=error)
    return render(app.core.templates, "slack/unexpected.j2", ref=ref)


def _json(payload: dict[str, Any], headers: dict[str, str | Sequence[str]]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload),
                        headers={"content-type": "application/json;charset=utf-8", **headers})

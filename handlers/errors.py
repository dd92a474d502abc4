"""The one Slack error handler: Herald's errors become a clear private message, anything else a reference.

A usage or domain error shows its message and the usage line; an unexpected error shows "something
went wrong (ref …)" and logs the traceback under that reference. Slash commands get the answer in
the HTTP response, modals get it on the form, buttons get it through their response_url.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltResponse

from bot.errors import HeraldError
from bot.templating import render
from handlers.publish import respond_later

if TYPE_CHECKING:
    from bot.slack_app import SlackApp

log = logging.getLogger("herald.slack")


def handler(app: SlackApp) -> Callable[..., BoltResponse]:
    """The @app.error listener bound to `app`."""

    def handle_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """Turn `error` into what the person sees, for every kind of request."""
        text = describe(app, error)
        kind = body.get("type")
        if kind == "view_submission":
            return _json({"response_action": "errors", "errors": {"message": text[:1900]}})
        if kind == "block_actions":
            respond_later(app, body.get("response_url"), text)
            return BoltResponse(status=200, body="")
        return _json({"response_type": "ephemeral", "text": text})

    return handle_error


def describe(app: SlackApp, error: Exception) -> str:
    """The message for `error`; unexpected ones are logged with a short reference."""
    if isinstance(error, HeraldError):
        return render(app.core.templates, "slack/error.j2", error=error, usage=getattr(error, "usage", ""))
    ref = secrets.token_hex(3).upper()
    log.error("unexpected error (ref %s)", ref, exc_info=error)
    return render(app.core.templates, "slack/unexpected.j2", ref=ref)


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload),
                        headers={"content-type": "application/json;charset=utf-8"})

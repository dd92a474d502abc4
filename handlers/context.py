"""What every Slack listener works with: the SlackApp, a Web API client, and who is asking from where.

`SlackApp` bundles the core, the Bolt app, a Web API client, the allow-list and two executors: work
for after the HTTP response (`later`: cards, receipts, response_url posts) and work beside it (`soon`:
opening a modal within its trigger's 3 s). `asker` is a Bolt middleware that puts the asking user, the
channel they asked from and whether they may publish into Bolt's `context` once per request, so a
listener reads `context["asker"]` instead of digging in the payload and calling the allow-list itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core import Core
from bot.errors import NotAllowed
from bot.store.db import unreachable
from handlers.allow import AllowList

log = logging.getLogger("herald.slack")


@dataclass
class SlackApp:
    """Everything a Slack listener needs: the core, the Bolt app, a Web API client and the executors."""

    core: Core
    bolt: App
    client: WebClient
    allow: AllowList
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


@dataclass(frozen=True)
class Asker:
    """Who sent a request, from which channel, and whether the allow-list lets them publish."""

    user: str
    channel: str | None
    may_publish: bool

    def require_publisher(self) -> None:
        """Raise NotAllowed unless this person may publish (reading commands never call this)."""
        if not self.may_publish:
            raise NotAllowed(NOT_ALLOWED)


NOT_ALLOWED = ("you are not on Herald's allow-list for publishing, so nothing was saved or published; ask an "
               "admin to add you (HERALD_ALLOWED_USERS or HERALD_ALLOWED_GROUPS). Reading commands (list, show, "
               "preview) work for everyone.")


def asker(app: SlackApp) -> Callable[..., Any]:
    """The middleware that fills `context["asker"]` for every request that names a user."""

    def who_asks(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:  # noqa: A002
        user, channel = _user(body), _channel(body)
        if user is not None:
            context["asker"] = Asker(user, channel, app.allow.allows(user=user, channel=channel))
        return next()

    return who_asks


def _user(body: dict[str, Any]) -> str | None:
    """The user id: a slash command's `user_id`, or an interaction's `user.id`."""
    found = body.get("user_id") or (body.get("user") or {}).get("id")
    return str(found) if found else None


def _channel(body: dict[str, Any]) -> str | None:
    """The channel asked from: a command's `channel_id`, a button's `channel.id`, or the channel a modal
    was opened from (Herald keeps it in the view's private metadata)."""
    found = body.get("channel_id") or (body.get("channel") or {}).get("id")
    if found is None and isinstance(body.get("view"), dict):
        try:
            found = json.loads(body["view"].get("private_metadata") or "{}").get("channel")
        except (ValueError, AttributeError):
            found = None
    return str(found) if found else None


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

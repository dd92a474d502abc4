"""The same Slack request has its effect once and gets the first answer again (SPEC §6).

Slack may send a request twice (a retry with `X-Slack-Retry-Num`, a re-sent modal), a network may
replay it, and people double-click. `OnceApp.dispatch` — the one call both the HTTP endpoint and
Socket Mode go through — names each request by its own identity and asks bot.store.replays whether that
identity was seen in the last hour:

- a slash command: its `trigger_id` (unique per invocation), with team, user and text;
- a button: user, action, block, value, message and the action's `action_ts`; the reminder's buttons,
  which vanish once used, by user, action and reminder message alone (a double click has two
  `action_ts` but is one decision);
- a modal submission: user, view id, view hash and the submitted values (a corrected form is a new
  request; the same form sent again is not);
- an Events API callback: its `event_id`.

Anything else (url_verification, view_closed) runs every time. A request that failed because the
database was unreachable is forgotten (handlers.errors marks its answer), so a retry runs again.
The answer is stored just after it is returned (on a thread of its own), so storing it never delays
the acknowledgement; a replay arriving in between waits for it (bot.store.replays.wait).
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.core import Core
from bot.store import replays

log = logging.getLogger("herald.slack")
TRANSIENT = "x-herald-transient"  # set by handlers.errors on an answer that must not be replayed
ONCE_PER_MESSAGE = ("reminder_continue", "reminder_snooze")


def request_key(body: dict[str, Any]) -> str | None:
    """The identity of a Slack request, hashed; None for requests that are never deduplicated."""
    user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else body.get("user_id")
    kind = body.get("type")
    identity: tuple[Any, ...]
    if body.get("command"):
        identity = ("command", body.get("team_id"), user, body.get("trigger_id"), body.get("text"))
    elif kind == "block_actions":
        identity = _action_identity(body, user)
    elif kind == "view_submission":
        view = body.get("view") or {}
        identity = ("view", user, view.get("id"), view.get("hash"), view.get("state"))
    elif kind == "event_callback" and body.get("event_id"):
        identity = ("event", body.get("team_id"), body.get("event_id"))
    else:
        return None
    return "slack:" + hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()


def _action_identity(body: dict[str, Any], user: str | None) -> tuple[Any, ...]:
    action = (body.get("actions") or [{}])[0]
    message = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts")
    what = (action.get("action_id"), action.get("block_id"), action.get("value"), message)
    if action.get("action_id") in ONCE_PER_MESSAGE:
        return ("action-once", user, *what)
    return ("action", user, *what, action.get("action_ts"))


class OnceApp(App):
    """A Bolt app whose dispatch answers a replayed request with its first answer instead of running it."""

    def __init__(self, *, core: Core, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.herald_core = core
        self.herald_settle = ThreadPoolExecutor(2, thread_name_prefix="slack-replays")

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Run a request the first time; a replay gets the stored answer."""
        key = request_key(req.body) if isinstance(req.body, dict) else None
        if key is None:
            return super().dispatch(req)
        try:
            first = replays.begin(self.herald_core, key)
        except SQLAlchemyError as exc:  # the database is down: run it; the handler says what failed
            log.warning("cannot check Slack request %s for replays: %s", key[:14], type(exc).__name__)
            return super().dispatch(req)
        if first is not None:
            return self._replay(key, first)
        response = super().dispatch(req)
        transient = response.headers.pop(TRANSIENT, None) is not None
        content_type = (response.headers.get("content-type") or ["text/plain"])[0]
        answer = replays.Answer(response.status, response.body, content_type)
        self.herald_settle.submit(self._settle, key, None if transient else answer)
        return response

    def _replay(self, key: str, first: replays.Answer) -> BoltResponse:
        if first is replays.RUNNING:
            first = replays.wait(self.herald_core, key)
        log.info("Slack request %s seen before: answered with its first answer, not run again", key[:14])
        if first is replays.RUNNING:
            return BoltResponse(status=200, body="")  # the first is still running and will answer itself
        return BoltResponse(status=first.status, body=first.body, headers={"content-type": first.content_type})

    def _settle(self, key: str, answer: replays.Answer | None) -> None:
        """Store the answer, or forget the key (None) when the request failed without effect."""
        try:
            if answer is None:
                replays.forget(self.herald_core, key)
            else:
                replays.finish(self.herald_core, key, answer)
        except SQLAlchemyError as exc:  # an unstored answer only means a replay waits, then may run again
            log.warning("cannot store the answer to Slack request %s: %s", key[:14], type(exc).__name__)

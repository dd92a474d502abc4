"""The front door of `POST /slack/events`: bounded, verified, then parsed, and only then handed to Bolt.

Bolt parses a body before its middleware checks the signature, and reads it whole, so an unsigned
100 MB post used to hold a thread for seconds and a malformed one raised a 500 with a traceback.
Here, in this order: a body over MAX_BODY is refused with 413 without being read (a declared length)
or as soon as it passes the limit (chunked); the timestamp must be an integer within WINDOW seconds
and the HMAC signature must match the raw bytes (else 401); the bytes must be UTF-8 and parse as
Slack's form or JSON, percent-escapes included (else 400). Each refusal writes one log line, no
traceback. Bolt verifies the signature again (cheap), so a mistake here cannot let a forgery through.

MAX_BODY is 1 MiB. Slack's payloads are small: a slash command is about 1 KB; the largest real ones
are interactive payloads that carry a whole message (≤ 50 blocks) or modal (≤ 100 blocks) of at most
3,000 characters a text, percent-encoded: a few hundred KB at the very worst. 1 MiB leaves room for
those and bounds what a request can cost: at most 1 MiB read per thread (8 MiB per web process).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Request, Response, request
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_bolt.request import BoltRequest

if TYPE_CHECKING:
    from handlers.context import SlackApp

log = logging.getLogger("herald.slack")
MAX_BODY = 1024 * 1024  # bytes; see the module docstring for why
WINDOW = 300  # seconds a signed request stays valid (Slack's own rule)
CHUNK = 64 * 1024
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class Refused(Exception):
    """A request answered with a 4xx before anything parsed it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def events_view(slack: SlackApp) -> Callable[[], Response]:
    """The Flask view for /slack/events, in front of `slack`'s Bolt app."""
    config = slack.core.config
    secret = config.slack_signing_secret.get_secret_value().encode() if config.slack_signing_secret else None

    def slack_events() -> Response:
        try:
            raw = read_body(request)
            verify(secret, request.headers.get("X-Slack-Request-Timestamp"),
                   request.headers.get("X-Slack-Signature"), raw)
            text = parse(raw, request.mimetype)
        except Refused as refused:
            log.warning("refused POST /slack/events from %s: %d %s", request.remote_addr, refused.status,
                        refused.reason)
            return Response(refused.reason + "\n", status=refused.status, mimetype="text/plain")
        bolt = BoltRequest(body=text, query=request.query_string.decode("latin-1"),
                           headers=request.headers)  # type: ignore[arg-type]
        return to_flask_response(slack.bolt.dispatch(bolt))

    return slack_events


def read_body(req: Request, *, limit: int = MAX_BODY) -> bytes:
    """The body, refused with 413 before reading when its declared length is over `limit`, or as soon as
    a chunked body passes it."""
    if req.content_length is not None and req.content_length > limit:
        raise Refused(413, "request body too large")
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = req.stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise Refused(413, "request body too large")


def verify(secret: bytes | None, timestamp: str | None, signature: str | None, raw: bytes) -> None:
    """Raise 401 unless the request is signed with SLACK_SIGNING_SECRET within the last WINDOW seconds.

    The HMAC is computed here over the raw bytes: slack_sdk's verifier decodes the body first, which
    raises on invalid UTF-8 (and the decision must not depend on the body being text)."""
    if secret is None:
        raise Refused(401, "HTTP requests cannot be verified: SLACK_SIGNING_SECRET is not set")
    if timestamp is None or not _TIMESTAMP.fullmatch(timestamp) or abs(time.time() - int(timestamp)) > WINDOW:
        raise Refused(401, "missing, malformed or stale X-Slack-Request-Timestamp")
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    if signature is None or not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Refused(401, "invalid X-Slack-Signature")


def parse(raw: bytes, mimetype: str) -> str:
    """The body as text, once it is known to be UTF-8 that Bolt's parser will read without error."""
    try:
        text = raw.decode("utf-8")
        body = _parsed(text, mimetype)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates from JSON escapes
    except (UnicodeError, ValueError) as exc:
        raise Refused(400, f"malformed body ({type(exc).__name__})") from None
    if not isinstance(body, dict):
        raise Refused(400, "malformed body (not an object)")
    if not _has_shape(body):
        raise Refused(400, "malformed Slack payload (a field Slack always sends is missing)")
    return text


def _has_shape(body: dict[str, Any]) -> bool:
    """False when a command, button or modal payload lacks a field Slack always sends and Bolt or the
    handlers read (Bolt itself raises on some, e.g. a view without `type`)."""
    kind = body.get("type")
    if "command" in body:
        return all(isinstance(body.get(k), str) and body[k] for k in ("command", "user_id", "trigger_id"))
    if kind not in ("block_actions", "view_submission", "view_closed"):
        return True  # url_verification, events: Bolt answers what it does not handle with a 404
    user = body.get("user")
    if not (isinstance(user, dict) and isinstance(user.get("id"), str)):
        return False
    if kind == "block_actions":
        actions = body.get("actions")
        return isinstance(actions, list) and bool(actions) and all(
            isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)
    view = body.get("view")
    return isinstance(view, dict) and all(isinstance(view.get(k), str) for k in ("id", "type", "callback_id"))


def _parsed(text: str, mimetype: str) -> Any:
    """What slack_bolt.request.internals.parse_body will make of `text`, decoded strictly."""
    if not text:
        return {}
    if mimetype == "application/json" or text.startswith("{"):
        return json.loads(text)
    params = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    if "payload" in text and "payload" in params:
        return json.loads(params["payload"])
    return params

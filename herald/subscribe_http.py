"""The subscribe endpoints of `herald serve`: POST /subscribe, GET /subscribe/confirm, GET and POST /unsubscribe.

Every request is bounded before it is read (MAX_BODY, else 413) and counted per client (CLIENT_LIMITS, an
in-process moving window of the `limits` package, else 429): a client that floods the form is stopped at
the door, cheaply, with no database write. The window is per web process, so N processes allow N times
as much; the limit that protects an inbox is per address and kept in the database (bot.subscribers.service:
one confirmation mail per CONFIRM_EVERY), which every process shares. The reply is the same whether or
not an address was already subscribed. Webhook URLs that resolve to a private network are refused here
already (and again at every send).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from flask import Flask, Request, Response, request
from limits import parse_many, storage, strategies

from bot.core import Core
from bot.domain.models import utcnow
from bot.errors import DomainError
from bot.store import db
from bot.subscribers import service, wake
from bot.text.templating import render
from herald.slack_http import Refused, read_body
from publishers.webhooks import targets

log = logging.getLogger("herald.subscribe")
MAX_BODY = 16 * 1024  # bytes: an address, a URL of at most 2 KB and a few component names
CLIENT_LIMITS = parse_many("10/minute;60/hour")


class Door:
    """The per-client window, one per web process."""

    def __init__(self) -> None:
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def admit(self, client: str) -> bool:
        """Count one request of `client`; False once it is over a limit."""
        return all(self.limiter.hit(limit, "subscribe", client) for limit in CLIENT_LIMITS)


def register(web: Flask, core: Core) -> None:
    """Add the subscribe routes to `web`."""
    door = Door()
    web.add_url_rule("/subscribe", "subscribe", lambda: subscribe(core, door), methods=["POST"])
    web.add_url_rule("/subscribe/confirm", "subscribe_confirm", lambda: confirm(core), methods=["GET"])
    web.add_url_rule("/unsubscribe", "unsubscribe", lambda: unsubscribe(core), methods=["GET", "POST"])


def page(core: Core, name: str, status: int = 200, **context: object) -> Response:
    """One of templates/subscribe/ as an HTML answer."""
    body = render(core.templates, f"subscribe/{name}.html.j2", page=core.config.page_name,
                  home=core.config.public_url.rstrip("/") + "/", **context)
    return Response(body, status=status, mimetype="text/html",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def form(req: Request) -> list[tuple[str, str]]:
    """The form's fields, refused with 413 past MAX_BODY (before reading) or 400 when not UTF-8."""
    raw = read_body(req, limit=MAX_BODY)
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=64)
    except (UnicodeError, ValueError):
        raise Refused(400, "the form could not be read") from None


def subscribe(core: Core, door: Door) -> Response:
    """POST /subscribe: email (double opt-in) or webhook URL, with optional components."""
    if not door.admit(request.remote_addr or "?"):
        log.warning("refused POST /subscribe from %s: too many requests", request.remote_addr)
        return page(core, "error", 429, message="Too many requests from your address: try again in a while.")
    try:
        fields = form(request)
        address = next((v for k, v in fields if k in ("email", "webhook", "address") and v.strip()), "")
        chosen = [v for k, v in fields if k == "components" and v]
        done = _subscribe(core, address, chosen)
    except Refused as refused:
        return page(core, "error", refused.status, message=refused.reason)
    except DomainError as exc:
        return page(core, "error", 400, message=exc.message)
    wake.wake_all()
    return page(core, "requested", done=done, components=chosen)


def _subscribe(core: Core, address: str, chosen: list[str]) -> service.Requested:
    if not address:
        raise DomainError("give an email address or a webhook URL")
    if service.channel_of(address) == "email" and not core.config.mail_configured:
        raise Refused(503, "Email subscriptions are not available on this page.")
    if service.channel_of(address) == "webhook":
        try:
            targets.check(address.strip(), allow_private=core.config.webhook_allow_private)
        except OSError:
            raise DomainError("that webhook URL's host name cannot be resolved") from None
    with db.transaction(core.sessions) as session:
        return service.subscribe(session, address=address, components=chosen, now=utcnow())


def confirm(core: Core) -> Response:
    """GET /subscribe/confirm?token=…: the subscription is on."""
    try:
        with db.transaction(core.sessions) as session:
            found = service.confirm(session, token=request.args.get("token", ""), now=utcnow())
            address = found.address
    except DomainError as exc:
        return page(core, "error", 404, message=exc.message)
    return page(core, "confirmed", address=address)


def unsubscribe(core: Core) -> Response:
    """GET shows one button; POST (the button, or a mail client's RFC 8058 one-click) unsubscribes."""
    token = request.args.get("token", "")
    if request.method == "GET":
        return page(core, "unsubscribe", token=token)
    try:
        read_body(request, limit=MAX_BODY)
        with db.transaction(core.sessions) as session:
            address = service.unsubscribe(session, token=token, now=utcnow()).address
    except Refused as refused:
        return page(core, "error", refused.status, message=refused.reason)
    except DomainError as exc:
        return page(core, "error", 404, message=exc.message)
    return page(core, "unsubscribed", address=address)

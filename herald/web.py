"""`herald serve`: the Slack endpoint, the status page files and a health check, under gunicorn.

Routes: `POST /slack/events` (slash commands, interactivity, events), `GET /healthz`, the subscribe
endpoints (herald.subscribe_http), and every other
GET serves HERALD_SITE_DIR (herald.site_http: compressed, cached, CORS for the API, the site's 404).
Without Slack settings the server still runs the status page and health check and says so. By default
`herald serve` also runs a delivery worker, as a child process of gunicorn's master
(herald.worker_child); with SLACK_APP_TOKEN, Socket Mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Config
from bot.core import Core
from bot.text.templating import render
from herald import site_http, subscribe_http
from herald.app import App, create_app
from herald.slack_http import events_view

log = logging.getLogger("herald.web")


def create_web(config: Config) -> Flask:
    """The WSGI app: Slack (when configured), health and the static status page."""
    web = Flask("herald", static_folder=None)
    app = create_app(config)
    if app.slack is None:
        log.warning("Slack is not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN): "
                    "serving the status page and /healthz only; /slack/events answers 503")
    web.extensions["herald"] = app
    web.add_url_rule("/healthz", "healthz", lambda: _health(app.core, app.slack is not None))
    web.add_url_rule("/slack/events", "slack", _slack_view(app), methods=["POST"])
    subscribe_http.register(web, app.core)  # POST /subscribe, its confirmation and /unsubscribe
    site_http.register(web, config, app.core.context.site)
    return web


def _slack_view(app: App) -> Callable[[], Any]:
    if app.slack is None:
        body = render(app.core.templates, "slack/not_configured.j2")
        return lambda: Response(body + "\n", status=503, mimetype="text/plain")
    return events_view(app.slack)  # size limit, signature, then parsing (docs/security.md)


def _health(core: Core, slack: bool) -> tuple[dict[str, Any], int]:
    """JSON always: 200 when the database answers, 503 (not a 500 page) when it cannot be reached."""
    state = {"slack": "configured" if slack else "not configured"}
    try:
        with core.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("/healthz: the database is unreachable (%s)", type(exc).__name__)
        return {"ok": False, "database": "unreachable", **state}, 503
    return {"ok": True, "database": "ok", **state}, 200


def start_background(config: Config, web: Flask) -> list[Callable[[], None]]:
    """Start Socket Mode when configured; returns how to stop it. (The delivery worker of `herald serve` is a
    process of its own: herald.worker_child.)"""
    stops: list[Callable[[], None]] = []
    app: App = web.extensions["herald"]
    if app.slack is not None and config.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # only with SLACK_APP_TOKEN

        handler = SocketModeHandler(app.slack.bolt, config.slack_app_token.get_secret_value())
        handler.connect()
        stops.append(handler.close)
        log.info("Slack Socket Mode connected")
    return stops

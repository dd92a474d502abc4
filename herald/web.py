"""`herald serve`: the Slack endpoint, the status page files and a health check, under gunicorn.

Routes: `POST /slack/events` (slash commands, interactivity, events), `GET /healthz`, and every other
GET serves HERALD_SITE_DIR (herald.site_http: compressed, cached, CORS for the API, the site's 404). Without
Slack settings the server still runs the status page and health check and says so. With SQLite (and
by default) each web process also runs a delivery worker thread; with SLACK_APP_TOKEN, Socket Mode.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Config
from bot.core import Core, build_core
from bot.text.templating import render
from herald import site_http

log = logging.getLogger("herald.web")


def create_web(config: Config) -> Flask:
    """The WSGI app: Slack (when configured), health and the static status page."""
    web = Flask("herald", static_folder=None)
    core = build_core(config)
    slack = _slack(config, core)
    web.extensions["herald"] = {"core": core, "slack": slack}
    web.add_url_rule("/healthz", "healthz", lambda: _health(core, slack is not None))
    web.add_url_rule("/slack/events", "slack", _slack_view(core, slack), methods=["POST"])
    site_http.register(web, config)
    return web


def _slack(config: Config, core: Core) -> Any:
    if not config.slack_configured:
        log.warning("Slack is not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN): "
                    "serving the status page and /healthz only; /slack/events answers 503")
        return None
    from herald.slack import create_app

    return create_app(config, core)


def _slack_view(core: Core, slack: Any) -> Any:
    if slack is None:
        body = render(core.templates, "slack/not_configured.j2")
        return lambda: Response(body + "\n", status=503, mimetype="text/plain")
    from herald.slack_http import events_view  # size limit, signature, then parsing (docs/security.md)

    return events_view(slack)


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


def start_background(config: Config, web: Flask, *, worker: bool) -> list[Callable[[], None]]:
    """Start the in-process delivery worker and Socket Mode, as configured; returns how to stop them."""
    stops: list[Callable[[], None]] = []
    herald = web.extensions["herald"]
    if worker:
        stops.extend(stop.set for stop in _worker(herald["core"]))
    if herald["slack"] is not None and config.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(herald["slack"].bolt, config.slack_app_token.get_secret_value())
        handler.connect()
        stops.append(handler.close)
        log.info("Slack Socket Mode connected")
    return stops


def _worker(core: Core) -> list[threading.Event]:
    try:
        start_thread = importlib.import_module("bot.delivery.worker").start_thread
    except (ImportError, AttributeError):
        log.warning("bot.delivery.worker is not available: no in-process delivery worker (run `herald worker`)")
        return []
    _thread, stop = start_thread(core)
    log.info("in-process delivery worker started")
    return [stop]

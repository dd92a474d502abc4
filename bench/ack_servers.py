"""Processes the ack benchmark starts: the two baseline Bolt apps, and the fake Slack Web API.

`python -m bench.ack_servers baseline PORT SLACK_URL [--pbr]` serves a bare Bolt app whose `/incident`
listener only calls `ack()`, on exactly Herald's stack (gunicorn gthread, Flask, Bolt's Flask adapter,
same gunicorn options); `--pbr` sets `process_before_response=True`. `python -m bench.ack_servers fake`
runs the fake Slack Web API and prints its URL, so its threads never compete with the load generator.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def baseline_app(slack_url: str, *, pbr: bool) -> Any:
    """A bare Bolt app on Flask: default settings, or process_before_response=True."""
    from flask import Flask, request
    from slack_bolt import App
    from slack_bolt.adapter.flask import SlackRequestHandler
    from slack_sdk import WebClient

    bolt = App(client=WebClient(token="xoxb-bench", base_url=slack_url), signing_secret=SECRET,
               process_before_response=pbr)
    bolt.command("/incident")(lambda ack: ack())
    handler = SlackRequestHandler(bolt)
    web = Flask("baseline")
    web.add_url_rule("/slack/events", "slack", lambda: handler.handle(request), methods=["POST"])
    web.add_url_rule("/healthz", "healthz", lambda: {"ok": True})
    return web


def serve_baseline(port: int, slack_url: str, pbr: bool) -> None:
    """Run a baseline under gunicorn with Herald's options."""
    from herald.serve import Server, options

    settings = options(host="127.0.0.1", port=port, workers=1, threads=8)
    settings["loglevel"] = "warning"
    Server(lambda: baseline_app(slack_url, pbr=pbr), settings).run()


def serve_fake() -> None:
    """Run the fake Slack until stdin closes."""
    from tests.fakes import slack as fake_slack

    _fake, server = fake_slack.start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    if sys.argv[1] == "fake":
        serve_fake()
    else:
        serve_baseline(int(sys.argv[2]), sys.argv[3], "--pbr" in sys.argv)

"""The long-running `herald` commands: serve, worker and demo. Each says at start what it does and where.

`herald serve` listens on 127.0.0.1 unless told otherwise: `--host 0.0.0.0`, or PORT set by a
platform that routes traffic to the process (then every address). A port already in use is refused
before anything starts, with what to do instead.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
from pathlib import Path

import click

from bot.delivery.worker import Stop, run_forever
from bot.errors import HeraldError
from bot.plugins import registry
from bot.text.templating import make_environment, render
from bot.text.times import Clock
from herald.app import create_core
from herald.cli_render import config_from, echo
from herald.demo import run_demo


@click.command("serve")
@click.option("--port", type=int, default=None, help="Port to listen on (default $PORT, then 8000).")
@click.option("--host", default=None,
              help="Address to listen on (default 127.0.0.1; 0.0.0.0 when PORT is set by a platform).")
@click.option("--worker/--no-worker", default=True, help="Also deliver updates in this process.")
@click.pass_context
def serve_cmd(ctx: click.Context, port: int | None, host: str | None, worker: bool) -> None:
    """Serve Slack, the status page and /healthz.

    Runs under gunicorn: POST /slack/events, GET /healthz, and the status page folder at /.
    """
    from herald.serve import serve  # lazy: flask, gunicorn and Bolt load for `herald serve` only

    config = config_from(ctx)
    host = host or ("0.0.0.0" if config.port_given else "127.0.0.1")
    port = port or config.port
    check_port(host, port, command="serve")
    echo(render(make_environment(Clock()), "cli/serve.j2", host=host, port=port, config=config, worker=worker))
    logging.getLogger("herald").setLevel(logging.INFO)
    serve(config, host=host, port=port, worker=worker)


@click.command("worker")
@click.option("--name", default=None, help="Name this worker's claims carry (default host:pid:random).")
@click.pass_context
def worker_cmd(ctx: click.Context, name: str | None) -> None:
    """Deliver queued updates to every channel.

    Runs until SIGTERM or Ctrl-C, then lets the deliveries in flight finish.
    """
    logging.getLogger("bot").setLevel(logging.INFO)
    core = create_core(config_from(ctx))
    echo(render(core.templates, "cli/worker.j2", config=core.config, channels=core.publisher_names,
                off=registry.lacking(core.config), failures=core.registry.failures))
    stop = Stop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_forever(core, stop=stop, name=name)


@click.command("demo")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("herald-demo"),
              show_default=True,
              help="Where the demo's database, site and sandbox go (replaced when the demo made them).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port of the local site.")
@click.option("--serve/--no-serve", default=True, help="Serve the site when the replay is done.")
@click.pass_context
def demo_cmd(ctx: click.Context, folder: Path, port: int, serve: bool) -> None:
    """Replay a 2010 status history and serve it.

    FoxyCart's 2010 status page goes through Herald's real path; the result is served on 127.0.0.1.
    """
    if serve:
        check_port("127.0.0.1", port, command="demo")
    result = run_demo(config_from(ctx), folder=folder, port=port)
    echo(render(result["core"].templates, "cli/demo.j2", r=result, serve=serve))
    if serve:
        from herald.serve import serve as serve_web  # lazy: flask, gunicorn and Bolt load only to serve

        logging.getLogger("herald").setLevel(logging.INFO)
        serve_web(result["config"], host="127.0.0.1", port=port, worker=True)


def check_port(host: str, port: int, *, command: str) -> None:
    """Refuse, saying what to do, when something already listens on `host`:`port`."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise HeraldError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
            raise HeraldError(f"port {port} is in use: stop what uses it or run "
                              f"`herald {command} --port {port + 1}`") from None

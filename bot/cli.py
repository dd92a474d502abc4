"""`herald`: the command line. It loads the config, builds the core, and runs the same grammar as Slack."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from bot import db, logs
from bot.config import Config, load_config
from bot.errors import HeraldError, UsageError

log = logging.getLogger("herald")


class HeraldGroup(click.Group):
    """A click group that prints Herald's errors as one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except HeraldError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=HeraldGroup)
@click.option("--sandbox", is_flag=True, help="Deliver Twitter, forum and Slack posts to local files.")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(ctx: click.Context, sandbox: bool, verbose: bool) -> None:
    """Herald: declare incidents and publish their updates everywhere, with one time format."""
    logs.setup(verbose=verbose)  # no secret in any line, even with -v (bot/logs.py)
    ctx.obj = {"sandbox": sandbox}


def config_from(ctx: click.Context) -> Config:
    """The process configuration, with --sandbox applied."""
    config = load_config()
    logs.redact(config)
    if ctx.obj and ctx.obj.get("sandbox"):
        config = config.model_copy(update={"sandbox": True})
    return config


@main.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or upgrade the schema to the latest migration."""
    config = config_from(ctx)
    db.upgrade(config.database_url)
    click.echo(f"database is at the latest schema ({_safe_url(config.database_url)})")


@main.command("incident", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def incident(ctx: click.Context, words: tuple[str, ...]) -> None:
    """Run an /incident subcommand, e.g. `herald incident update 3 -s identified The cause is …`."""
    from bot import grammar
    from bot.cli_render import echo_outcome
    from bot.commands import execute
    from bot.core import build_core

    core = build_core(config_from(ctx))
    outcome = execute(core, grammar.parse(join_words(words)), author="cli")
    echo_outcome(core, outcome)


@main.command("components")
@click.pass_context
def components_cmd(ctx: click.Context) -> None:
    """List components and their status."""
    ctx.invoke(incident, words=("components",))


@main.command("worker")
@click.option("--name", default=None, help="Name this worker's claims carry (default host:pid:random).")
@click.pass_context
def worker_cmd(ctx: click.Context, name: str | None) -> None:
    """Deliver queued updates to every channel until SIGTERM or Ctrl-C."""
    import signal

    from bot.core import build_core
    from bot.worker import Stop, run_forever

    logging.getLogger("bot").setLevel(logging.INFO)
    core = build_core(config_from(ctx))
    stop = Stop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_forever(core, stop=stop, name=name)


@main.command("serve")
@click.option("--port", type=int, default=None, help="Port to listen on (default $PORT, then 8000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--worker/--no-worker", default=True, help="Also deliver updates in this process.")
@click.pass_context
def serve_cmd(ctx: click.Context, port: int | None, host: str, worker: bool) -> None:
    """Serve Slack (/slack/events), the status page and /healthz under gunicorn."""
    from bot.serve import serve

    logging.getLogger("herald").setLevel(logging.INFO)
    serve(config_from(ctx), host=host, port=port, worker=worker)


@main.command("demo")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("herald-demo"),
              show_default=True, help="Where the demo's database, site and sandbox go (replaced).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port of the local site.")
@click.option("--serve/--no-serve", default=True, help="Serve the site when the replay is done.")
@click.pass_context
def demo_cmd(ctx: click.Context, folder: Path, port: int, serve: bool) -> None:
    """Replay FoxyCart's 2010 status history through Herald and serve the result on 127.0.0.1."""
    from bot.demo import run_demo
    from bot.templating import render

    result = run_demo(config_from(ctx), folder=folder, port=port)
    click.echo(render(result["core"].templates, "cli/demo.j2", r=result, serve=serve))
    if serve:
        from bot.serve import serve as serve_web

        logging.getLogger("herald").setLevel(logging.INFO)
        serve_web(result["config"], host="127.0.0.1", port=port, worker=True)


@main.command("retry")
@click.argument("incident_id")
@click.pass_context
def retry_cmd(ctx: click.Context, incident_id: str) -> None:
    """Re-queue the failed and dead deliveries of an incident, e.g. `herald retry 42`."""
    ctx.invoke(incident, words=("retry", incident_id))


@main.group("site")
def site_group() -> None:
    """The static status site."""


@site_group.command("build")
@click.option("--jobs", type=int, default=None, help="Processes rendering pages (default: one per CPU).")
@click.pass_context
def site_build(ctx: click.Context, jobs: int | None) -> None:
    """Rewrite the whole status site in HERALD_SITE_DIR from the database."""
    import os
    import time

    from bot.core import build_core
    from bot.templating import render
    from publishers.base import PublisherContext
    from publishers.statuspage import StatuspagePublisher

    core = build_core(config_from(ctx), load_publishers=False)
    publisher = StatuspagePublisher(PublisherContext(core.config, core.templates, core.clock, core.sessions))
    started = time.perf_counter()
    changed = publisher.build(jobs=jobs or os.cpu_count() or 1)
    click.echo(render(core.templates, "site/built.j2", folder=core.config.site_dir, changed=changed,
                      seconds=round(time.perf_counter() - started, 1)))


def join_words(words: tuple[str, ...]) -> str:
    """Rebuild command text from argv: re-quote words the shell split on, leave the -m text as typed."""
    out: list[str] = []
    for i, word in enumerate(words):
        if word in ("-m", "--message"):
            return " ".join(out + list(words[i:]))
        out.append(f'"{word}"' if any(ch.isspace() for ch in word) and '"' not in word else word)
    return " ".join(out)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

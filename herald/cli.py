"""`herald`: the command line. It loads the config, builds the core, and runs the same grammar as Slack.

Exit status: 0 when the command did what it said; 1 when Herald understood it and refused (see EXIT);
2 when the command line could not be read, click's own usage errors included.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot import logs
from bot.commands import execute
from bot.errors import HeraldError, TimeError, UsageError
from bot.plugins.contract import PublishError, SiteMirror, SyncResult
from bot.text import grammar
from bot.text.templating import render
from herald import cli_components, cli_db
from herald.app import create_core
from herald.cli_render import config_from, database_trouble, echo, echo_error, echo_help, echo_outcome, help_text
from herald.cli_serve import demo_cmd, serve_cmd, worker_cmd
from herald.cli_subscribers import subscribers_group
from publishers.statuspage import StatuspagePublisher

log = logging.getLogger("herald")

EXIT = """\b
Exit status:
  0  done
  1  refused: understood, but not done (no such incident or component,
     a change the incident's state does not allow, a window already over,
     a port in use, a bad setting)
  2  usage: the command line could not be read (unknown subcommand or
     option, a malformed value, a time that cannot be read, does not exist
     or happens twice, text that is not valid UTF-8)
"""


class HeraldGroup(click.Group):
    """A click group that prints Herald's errors as one clear message and exits 2 (usage) or 1 (refused)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (UsageError, TimeError) as exc:  # what was typed cannot be read as a command
            echo_error(exc)
            sys.exit(2)
        except HeraldError as exc:
            echo_error(exc)
            sys.exit(1)
        except SQLAlchemyError as exc:  # unreachable, not upgraded, or not a database Herald can use
            echo_error(database_trouble(exc))
            sys.exit(1)


@click.group(cls=HeraldGroup, epilog=EXIT)
@click.version_option(package_name="herald", prog_name="herald", message="%(prog)s %(version)s")
@click.option("--sandbox", is_flag=True, help="Deliver Twitter, forum and Slack posts to local files.")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(ctx: click.Context, sandbox: bool, verbose: bool) -> None:
    """Herald: declare incidents and publish their updates everywhere, with one time format."""
    logs.setup(verbose=verbose)  # no secret in any line, even with -v (bot/logs.py)
    ctx.obj = {"sandbox": sandbox}


@main.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or upgrade the schema to the latest migration."""
    config = config_from(ctx)
    echo(f"{cli_db.upgrade(config.database_url)} ({_safe_url(config.database_url)})")


class IncidentCommand(click.Command):
    """`herald incident`: its help lists every subcommand with its usage line."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Subcommands"):
            for line in help_text(None).splitlines():
                formatter.write(f"{'':>{formatter.current_indent}}{line}\n" if line else "\n")


@main.command("incident", cls=IncidentCommand,
              context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def incident(ctx: click.Context, words: tuple[str, ...]) -> None:
    """Declare, update and resolve incidents.

    The words are the Slack grammar, e.g. `herald incident update 3 -s identified The cause is …`.
    """
    parsed = grammar.parse(join_words(words))
    if isinstance(parsed, grammar.Help | grammar.OpenModal):  # needs no database
        echo_help(getattr(parsed, "topic", None))
        return
    core = create_core(config_from(ctx))
    echo_outcome(core, execute(core, parsed, author="cli"))


@main.command("components")
@click.option("--uptime", is_flag=True, help="Add each component's uptime over the last 90 local days.")
@click.option("--as-of", "as_of", metavar="INSTANT", help="Compute the uptime as of this ISO 8601 instant.")
@click.option("--only-if-degraded", "hide", metavar="NAME", multiple=True,
              help="Show NAME on the status page only while it is not operational.")
@click.option("--always", "show", metavar="NAME", multiple=True, help="Show NAME on the status page always.")
@click.pass_context
def components_cmd(ctx: click.Context, uptime: bool, as_of: str | None, hide: tuple[str, ...],
                   show: tuple[str, ...]) -> None:
    """List components and their status.

    With --uptime, each one's uptime over the last 90 local days, as the status page shows it.
    """
    if hide or show:
        cli_components.set_visibility(create_core(config_from(ctx)), hide=list(hide), show=list(show))
    if not uptime:
        ctx.invoke(incident, words=("components",))
        return
    at = cli_components.as_of(as_of)
    echo(cli_components.uptime_text(create_core(config_from(ctx)), at))


@main.command("retry")
@click.argument("incident_id")
@click.pass_context
def retry_cmd(ctx: click.Context, incident_id: str) -> None:
    """Re-queue an incident's failed deliveries.

    The failed and dead deliveries go out again in order, e.g. `herald retry 42`.
    """
    ctx.invoke(incident, words=("retry", incident_id))


@main.group("site")
def site_group() -> None:
    """The static status site."""


@site_group.command("build")
@click.option("--jobs", type=int, default=None, help="Processes rendering pages (default: one per CPU).")
@click.pass_context
def site_build(ctx: click.Context, jobs: int | None) -> None:
    """Rewrite the whole status site from the database.

    The site is written to HERALD_SITE_DIR.
    """
    core = create_core(config_from(ctx), load_publishers=False)
    publisher = StatuspagePublisher(core.context)
    started = time.perf_counter()
    changed = publisher.build(jobs=jobs or os.cpu_count() or 1)
    echo(render(core.templates, "site/built.j2", config=core.config, changed=changed,
                seconds=round(time.perf_counter() - started, 1)))


@site_group.command("sync")
@click.pass_context
def site_sync(ctx: click.Context) -> None:
    """Copy the whole status site to every mirror, deleting what the site no longer has.

    The mirrors are HERALD_SITE_MIRRORS: after a mirror's outage, or to fill a new bucket. Files in a
    mirror that the site does not have are deleted: give each mirror a folder or bucket of its own.
    """
    core = create_core(config_from(ctx))
    mirrors = [p for p in core.registry.publishers.values() if isinstance(p, SiteMirror)]
    if not mirrors:
        raise HeraldError("no site mirror is enabled: set HERALD_SITE_MIRRORS (and add mirror to HERALD_PUBLISHERS "
                          "when you set that)")
    results: list[tuple[str, SyncResult | None, str | None]] = []
    for mirror in mirrors:
        try:
            results.append((mirror.label, mirror.sync(full=True), None))
        except PublishError as exc:
            results.append((mirror.label, None, exc.message))
    echo(render(core.templates, "cli/site_sync.j2", results=results))
    if any(error for _, _, error in results):
        sys.exit(1)


def join_words(words: tuple[str, ...]) -> str:
    """Rebuild command text from argv: re-quote words the shell split on, leave the -m text as typed.

    `--help` or `-h` before any -m asks for the subcommand's usage line (`herald incident open --help`).
    """
    out: list[str] = []
    for i, word in enumerate(words):
        if word in ("-m", "--message"):
            return " ".join(out + list(words[i:]))
        if word in ("--help", "-h") and i > 0:
            return f"help {words[0]}"
        out.append(f'"{word}"' if any(ch.isspace() for ch in word) and '"' not in word else word)
    return " ".join(out)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


for _command in (demo_cmd, serve_cmd, worker_cmd, subscribers_group):  # in herald.cli_serve, cli_subscribers
    main.add_command(_command)


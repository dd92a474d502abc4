"""What the `herald` commands share: the config they run with, and the terminal they print to.

Every line `herald` prints goes through `echo`, which shows control characters as `\\x1b`-style
escapes (bot.text.sanitize.visible), so no stored or typed text can drive the operator's terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy.exc import SQLAlchemyError

from bot import logs
from bot.config import Config, load_config
from bot.errors import HeraldError
from bot.subscribers import notifiers
from bot.text.grammar import help_lines
from bot.text.sanitize import visible
from bot.text.templating import make_environment, render
from bot.text.times import Clock

if TYPE_CHECKING:
    from bot.commands import Outcome
    from bot.core import Core


def echo(text: str, *, err: bool = False) -> None:
    """Print `text` (and a newline) with every control character but newline and tab made visible."""
    click.echo(visible(text), err=err)


def help_text(topic: str | None) -> str:
    """The usage line of every subcommand of `herald incident`, or of `topic`."""
    return render(make_environment(Clock()), "cli/help.j2", usage=help_lines(topic), topic=topic)


def echo_help(topic: str | None) -> None:
    """Print the usage lines (`herald incident`, `herald incident help open`)."""
    echo(help_text(topic))


def echo_outcome(core: Core, outcome: Outcome) -> None:
    """Print `outcome` with SPEC-formatted times."""
    if outcome.action == "help":
        echo_help(outcome.topic)
        return
    name = outcome.action if outcome.action in ("list", "components", "show", "retry", "subscribers") else "published"
    echo(render(core.templates, f"cli/{name}.j2", o=outcome, config=core.config, notifiers=notifiers.labels()))


def echo_error(error: HeraldError) -> None:
    """Print a refusal on stderr: what was wrong, and the usage line when the command text was."""
    env = make_environment(Clock())  # errors carry no times to format: no config needed to print one
    echo(render(env, "cli/error.j2", message=error.message, usage=getattr(error, "usage", "")), err=True)


def config_from(ctx: click.Context) -> Config:
    """The process configuration, with --sandbox applied."""
    config = load_config()
    logs.redact(config)  # every secret this process knows stays out of its log lines
    if ctx.obj and ctx.obj.get("sandbox"):
        config = config.model_copy(update={"sandbox": True})
    return config


def database_trouble(exc: SQLAlchemyError) -> HeraldError:
    """A database error as one refusal a person can act on (never a traceback, never the URL's password)."""
    detail = str(getattr(exc, "orig", None) or exc).strip()
    text = detail.splitlines()[0] if detail else type(exc).__name__
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return HeraldError("the database has no Herald tables yet: run `herald db upgrade` first")
    return HeraldError(f"cannot use the database DATABASE_URL names ({type(exc).__name__}: {text})")

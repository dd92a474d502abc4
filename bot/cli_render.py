"""Printing command outcomes on the terminal, from templates/cli/."""

from __future__ import annotations

import click

from bot.commands import Outcome
from bot.core import Core
from bot.templating import render


def echo_outcome(core: Core, outcome: Outcome) -> None:
    """Print `outcome` with SPEC-formatted times."""
    if outcome.action == "help":
        click.echo(outcome.text)
        return
    name = outcome.action if outcome.action in ("list", "components", "show", "retry") else "published"
    click.echo(render(core.templates, f"cli/{name}.j2", o=outcome, config=core.config))

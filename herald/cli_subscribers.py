"""`herald subscribers [add|list|remove|export]`: the operator's side of the subscribers (docs/subscribers.md).

Bare `herald subscribers` counts them per channel and component, as `/incident subscribers` does in Slack.
"""

from __future__ import annotations

import csv
import sys

import click

from bot.commands import execute
from bot.core import Core
from bot.domain.models import utcnow
from bot.errors import DomainError, UsageError
from bot.store import db
from bot.subscribers import reports, service
from bot.text import grammar
from bot.text.templating import render
from bot.text.times import to_zone_iso
from herald.app import create_core
from herald.cli_render import config_from, echo, echo_outcome
from publishers.webhooks import targets


@click.group("subscribers", invoke_without_command=True)
@click.pass_context
def subscribers_group(ctx: click.Context) -> None:
    """Count, add, list, remove, export subscribers.

    Email addresses and webhook URLs told of every update (docs/subscribers.md).
    """
    if ctx.invoked_subcommand is None:
        core = create_core(config_from(ctx))
        echo_outcome(core, execute(core, grammar.Subscribers()))


@subscribers_group.command("add")
@click.argument("address")
@click.option("-c", "--components", default="", help="Comma list of components (default: all).")
@click.option("--confirmed", is_flag=True, help="Skip the confirmation mail (you vouch for the address).")
@click.pass_context
def add_cmd(ctx: click.Context, address: str, components: str, confirmed: bool) -> None:
    """Subscribe an email address or a webhook URL.

    An email address gets a confirmation mail first (unless --confirmed); a webhook URL's signing secret
    is printed once. Adding an active subscriber again changes its components to the ones given.
    """
    core = create_core(config_from(ctx))
    chosen = [name.strip() for name in components.split(",") if name.strip()]
    _check(core, address, chosen, confirmed=confirmed)
    with db.transaction(core.sessions) as session:
        done = service.subscribe(session, address=address, components=chosen, now=utcnow(), confirmed=confirmed,
                                 change=True)
    echo(render(core.templates, "cli/subscriber_added.j2", done=done, address=address, components=chosen,
                confirmed=confirmed))


def _check(core: Core, address: str, chosen: list[str], *, confirmed: bool) -> None:
    """Refuse in the order a person fixes things: the components, the address's form (a usage error, exit
    status 2), the settings, then the network (a webhook's host name)."""
    with core.reading() as session:
        service.components_named(session, chosen)
    try:
        service.normalise(address)
    except DomainError as exc:
        raise UsageError(exc.message) from None
    if service.channel_of(address) == "email" and not (confirmed or core.config.mail_configured):
        raise DomainError("mail is not configured (HERALD_SMTP_URL, HERALD_MAIL_FROM), so no confirmation "
                          "can be sent: configure it, or add the address with --confirmed")
    if service.channel_of(address) == "webhook":
        try:
            targets.check(address.strip(), allow_private=core.config.webhook_allow_private)
        except OSError:
            raise DomainError("that webhook URL's host name cannot be resolved") from None


@subscribers_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """List every subscriber with its state and components."""
    core = create_core(config_from(ctx))
    with core.reading() as session:
        found = reports.listing(session)
    echo(render(core.templates, "cli/subscribers_list.j2", subscribers=found))


@subscribers_group.command("remove")
@click.argument("which")
@click.pass_context
def remove_cmd(ctx: click.Context, which: str) -> None:
    """Delete a subscriber (by id or address) and everything queued for it."""
    core = create_core(config_from(ctx))
    with db.transaction(core.sessions) as session:
        gone = service.remove(session, which=which)
        address = gone.address
    echo(render(core.templates, "cli/subscriber_removed.j2", address=address))


@subscribers_group.command("export")
@click.pass_context
def export_cmd(ctx: click.Context) -> None:
    """Write every subscriber as CSV on standard output (webhook secrets are never exported)."""
    core = create_core(config_from(ctx))
    with core.reading() as session:
        found = reports.listing(session)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["id", "channel", "address", "components", "state", "created_at", "confirmed_at"])
    for s in found:
        out.writerow([s.id, s.channel, _cell(s.address), " ".join(s.components) or "all", s.state,
                      to_zone_iso(s.created_at, "UTC"), s.confirmed_at and to_zone_iso(s.confirmed_at, "UTC")])


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

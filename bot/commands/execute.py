"""Run a parsed /incident command: the one path shared by Slack, the CLI and the demo.

`execute` turns a grammar dataclass into domain calls inside one transaction and returns an
Outcome of plain views. A `--dry-run` (or `preview`) runs the same domain call, renders what every
channel would receive, and rolls the transaction back, so nothing is written or published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.commands.publishing import minute, publish, window
from bot.core import Core
from bot.delivery import outbox
from bot.domain import service
from bot.domain.models import Update, utcnow
from bot.domain.snapshots import ComponentView, Event, IncidentView, component_view, incident_view, update_view
from bot.plugins.contract import Rendered
from bot.schedule import jobs
from bot.subscribers import reports
from bot.text import grammar as g


@dataclass
class Outcome:
    """What a command did, as plain data for a template."""

    action: str
    incident: IncidentView | None = None
    update_number: int | None = None
    incidents: list[IncidentView] = field(default_factory=list)
    components: list[ComponentView] = field(default_factory=list)
    previews: list[Rendered] = field(default_factory=list)
    deliveries: dict[int, list[outbox.DeliverySummary]] = field(default_factory=dict)
    requeued: int = 0
    dry_run: bool = False
    usage: list[str] = field(default_factory=list)  # help: usage lines, without the front end's prefix
    topic: str | None = None  # help: the subcommand asked about, None for all
    late_start: datetime | None = None  # a window's start as given, when it had passed and the window starts now
    subscribers: reports.Counts | None = None  # `subscribers`: per channel and component


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after rendering."""


def execute(core: Core, command: g.Command, *, author: str | None = None,
            now: datetime | None = None) -> Outcome:
    """Carry out `command` in one transaction and describe the result."""
    now = now or utcnow()
    if isinstance(command, g.Help):
        return Outcome("help", usage=g.help_lines(command.topic), topic=command.topic)
    if isinstance(command, g.OpenModal):
        return Outcome("help", usage=g.help_lines(None))
    dry = bool(getattr(command, "dry_run", False)) or isinstance(command, g.Preview)
    outcome = Outcome("none", dry_run=dry)
    try:
        with core.sessions() as session, session.begin():
            _run(core, session, command, author, now, outcome)
            if dry:
                raise _DryRun
    except _DryRun:
        pass
    if not dry and (outcome.update_number is not None or outcome.requeued):
        outbox.notify(core)
    return outcome


def _run(core: Core, session: Session, command: g.Command, author: str | None, now: datetime,
         out: Outcome) -> None:
    if isinstance(command, g.ListIncidents):
        found = service.list_incidents(session, which=command.which)
        out.action, out.incidents = "list", [incident_view(i, core.config.public_url) for i in found]
        out.deliveries = {i.id: outbox.summary(session, i.id) for i in found}
        return
    if isinstance(command, g.Components):
        out.action = "components"
        out.components = [component_view(c) for c in service.list_components(session)]
        return
    if isinstance(command, g.Subscribers):
        out.action, out.subscribers = "subscribers", reports.counts(session)
        return
    if isinstance(command, g.Show):
        incident = service.get_incident(session, command.incident)
        out.action, out.incident = "show", incident_view(incident, core.config.public_url)
        out.deliveries = {incident.id: outbox.summary(session, incident.id)}
        return
    if isinstance(command, g.Retry):
        service.get_incident(session, command.incident)
        out.action, out.requeued = "retry", outbox.requeue(session, incident_id=command.incident, now=now)
        return
    update = publish(core, session, command, author=author, now=now)
    if update.revision == 0:  # a new update (not an edit) moves the window's or incident's jobs
        jobs.after_update(session, update, config=core.config, now=now)
    session.flush()
    out.action = type(command).__name__.lower()
    out.update_number = update.number
    if isinstance(command, g.Maintenance):  # the domain moved a start that had passed to now: say so
        requested = window(core, command, now)[0]
        out.late_start = requested if requested < minute(now) else None
    out.deliveries = {update.incident_id: outbox.summary(session, update.incident_id, update_id=update.id)}
    if out.dry_run:  # a preview renders with the whole incident, as the channels will see it
        out.incident = incident_view(update.incident, core.config.public_url)
        out.previews = preview(core, out.incident, update)
    else:
        out.incident = reply_view(core, update)


def reply_view(core: Core, update: Update) -> IncidentView:
    """The incident as the reply shows it: only `update`, without its edit history; the components and threads
    only when the command read them anyway. No query, so the ack stays lean whatever the incident's history."""
    incident = update.incident
    return incident_view(incident, core.config.public_url, affected=None if "affected" in incident.__dict__ else (),
                         threads=None if "threads" in incident.__dict__ else {},
                         updates=(update_view(update, revisions=()),))


def preview(core: Core, incident: IncidentView, update: Update) -> list[Rendered]:
    """What every enabled channel would receive for `update`."""
    event = Event(incident=incident, update=update_view(update), revision=update.revision)
    return [p.render(event) for p in core.registry.publishers.values()]

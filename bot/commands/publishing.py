"""The domain call each publishing command makes: one small function per command, chosen by its type.

Times are read here (bot.text.timeparse), in the display zone, against the command's own `now`: a bare
`--from` is its next occurrence, a bare `--to` the first one after `--from`. A message left out is the
operator's default text for the status (templates/messages/).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.core import Core
from bot.domain import service
from bot.domain.models import Update
from bot.domain.writes import check_status
from bot.errors import DomainError, UsageError
from bot.text import grammar as g
from bot.text.templating import render
from bot.text.timeparse import parse_time

Step = Callable[[Core, Session, Any, dict[str, Any]], Update]


def publish(core: Core, session: Session, command: g.Command, *, author: str | None, now: datetime) -> Update:
    """Carry out a publishing command in `session`: its update, written with one delivery per channel."""
    step = STEPS.get(type(command))
    if step is None:
        raise DomainError(f"{type(command).__name__} is not a publishing command")
    return step(core, session, command, {"author": author, "publishers": channels(core, command), "now": now})


def _open(core: Core, session: Session, c: g.Open, common: dict[str, Any]) -> Update:
    check_status("incident", c.status or "investigating")  # before its default text is written
    return service.declare(session, title=c.title, changes=changes(c.components), impact=c.impact, status=c.status,
                           at=at(core, c.at, common["now"]),
                           body=body(core, c.message, c.status or "investigating"), **common)


def _update(core: Core, session: Session, c: g.Update | g.Preview, common: dict[str, Any]) -> Update:
    if c.incident is None:
        raise UsageError("preview needs the id of the incident it would update", g.USAGE["preview"])
    status = c.status
    if not c.message:  # the default text follows the status, which must be one of the incident's kind
        incident = service.get_incident(session, c.incident)
        status = status or incident.status
        check_status(incident.kind, status)
    return service.post_update(session, incident_id=c.incident, status=c.status, changes=changes(c.components),
                               at=at(core, getattr(c, "at", None), common["now"]),
                               body=body(core, c.message, status or ""), **common)


def _resolve(core: Core, session: Session, c: g.Resolve, common: dict[str, Any]) -> Update:
    return service.resolve(session, incident_id=c.incident, at=at(core, c.at, common["now"]),
                           body=body(core, c.message, "resolved"), **common)


def _reopen(core: Core, session: Session, c: g.Reopen, common: dict[str, Any]) -> Update:
    return service.reopen(session, incident_id=c.incident, status=c.status, body=body(core, c.message, "reopened"),
                          **common)


def _maintenance(core: Core, session: Session, c: g.Maintenance, common: dict[str, Any]) -> Update:
    starts, ends = window(core, c, common["now"])
    shown = max(starts, common["now"])  # a late start begins now, and its announcement says so
    return service.schedule_maintenance(session, title=c.title, starts=starts, ends=ends,
                                        changes=changes(c.components), auto=c.auto,
                                        body=body(core, c.message, "scheduled", starts=shown, ends=ends), **common)


def _start(core: Core, session: Session, c: g.Start, common: dict[str, Any]) -> Update:
    return service.start_maintenance(session, incident_id=c.incident, at=at(core, c.at, common["now"]),
                                     body=body(core, c.message, "in_progress"), **common)


def _complete(core: Core, session: Session, c: g.Complete, common: dict[str, Any]) -> Update:
    return service.complete_maintenance(session, incident_id=c.incident, at=at(core, c.at, common["now"]),
                                        body=body(core, c.message, "completed"), **common)


def _extend(core: Core, session: Session, c: g.Extend, common: dict[str, Any]) -> Update:
    now = common["now"]
    scheduled = service.get_incident(session, c.incident).scheduled_for or now
    ends = parse_time(c.to, clock=core.clock, now=now, after=max(minute(now), scheduled) + timedelta(seconds=1))
    return service.extend_maintenance(session, incident_id=c.incident, ends=ends,
                                      body=body(core, c.message, "extend", ends=ends), **common)


def _edit(core: Core, session: Session, c: g.Edit, common: dict[str, Any]) -> Update:
    return service.edit_update(session, incident_id=c.incident, number=c.update_number, body=c.message, **common)


STEPS: dict[type, Step] = {
    g.Open: _open, g.Update: _update, g.Preview: _update, g.Resolve: _resolve, g.Reopen: _reopen,
    g.Maintenance: _maintenance, g.Start: _start, g.Complete: _complete, g.Extend: _extend, g.Edit: _edit,
}


def at(core: Core, text: str | None, now: datetime) -> datetime | None:
    """An `--at` time (None when not given)."""
    return None if text is None else parse_time(text, clock=core.clock, now=now)


def window(core: Core, command: g.Maintenance, now: datetime) -> tuple[datetime, datetime]:
    """--from and --to: a bare --from is its next occurrence, a bare --to the first one after --from."""
    starts = parse_time(command.starts, clock=core.clock, now=now, after=minute(now))
    return starts, parse_time(command.ends, clock=core.clock, now=now, after=starts + timedelta(seconds=1))


def minute(now: datetime) -> datetime:
    """The start of `now`'s minute: a bare time naming the current minute means now, not tomorrow."""
    return now.replace(second=0, microsecond=0)


def changes(components: tuple[g.ComponentChange, ...]) -> list[tuple[str, str | None]]:
    """The `-c` components as (name, status or None) pairs for the domain."""
    return [(c.name, c.status) for c in components]


def channels(core: Core, command: g.Command) -> list[str]:
    """The channels `--publish` names (each enabled), or every enabled one."""
    chosen = getattr(command, "publish", None)
    if not chosen:
        return core.publisher_names
    unknown = [name for name in chosen if name not in core.publisher_names]
    if unknown:
        raise DomainError(f'unknown or disabled channel "{unknown[0]}" '
                          f'(enabled: {", ".join(core.publisher_names)})')
    return list(chosen)


def body(core: Core, message: str | None, status: str, **context: Any) -> str:
    """The message as written, or the operator's default text for this status."""
    if message:
        return message
    return render(core.templates, f"messages/{status}.j2", **context)

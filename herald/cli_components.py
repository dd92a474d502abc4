"""`herald components --uptime`: each component's uptime over the last 90 local days, as the status page shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core import Core
from bot.domain import components, reading
from bot.errors import UsageError
from bot.store import db
from bot.text.templating import render
from publishers.statuspage.bars import read_bars

USAGE = "herald components --uptime [--as-of 2010-11-08T12:00Z]"


def as_of(value: str | None) -> datetime:
    """The instant `--as-of` names (ISO 8601 with an offset or `Z`), or now."""
    if value is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f'--as-of: "{value}" is not an ISO 8601 instant', usage=USAGE) from None
    if at.tzinfo is None:
        raise UsageError(f'--as-of: "{value}" has no offset; add Z or +HH:MM',
                         usage=USAGE)
    return at.astimezone(UTC)


def set_visibility(core: Core, *, hide: list[str], show: list[str]) -> None:
    """Set `only_show_if_degraded` (hide: true, show: false) and rewrite the status page's shared files."""
    with db.transaction(core.sessions) as session:
        components.show_only_if_degraded(session, [n.lower() for n in hide], True)
        components.show_only_if_degraded(session, [n.lower() for n in show], False)
    page = core.registry.get("statuspage")
    if page is not None:
        page.refresh(None)  # type: ignore[attr-defined]


def uptime_text(core: Core, at: datetime) -> str:
    """The uptime table as of `at`, in the display zone's days."""
    with core.reading() as session:
        comps = reading.components(session)
        bars = read_bars(session, comps, now=at, zone=core.config.timezone)
    return render(core.templates, "cli/uptime.j2", comps=comps, bars=bars)

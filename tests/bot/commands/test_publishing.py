"""The domain call behind each publishing command, and how it reads channels, times and default texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.commands import publishing
from bot.core import Core
from bot.domain.models import Delivery, Incident, Update
from bot.errors import DomainError, TimeError, UsageError
from bot.store import db
from bot.text import grammar as g
from tests.fakes.scripted_plugin import install

NOW = datetime(2010, 9, 2, 16, 0, tzinfo=UTC)  # 09:00 PDT


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC instant in 2010."""
    return datetime(2010, month, day, hour, minute, tzinfo=UTC)


def publish(core: Core, text: str, now: datetime = NOW) -> tuple[int, int, str, int, list[str]]:
    """Parse `text` and carry it out with `publishing.publish`, committed: (incident, number, event, revision,
    the channels its deliveries went to)."""
    with db.transaction(core.sessions) as s:
        made = publishing.publish(core, s, g.parse(text), author="U123", now=now)
        channels = list(s.scalars(select(Delivery.publisher).where(Delivery.update_id == made.id,
                                                                  Delivery.revision == made.revision)
                                    .order_by(Delivery.id)))
        return made.incident_id, made.number, made.event, made.revision, channels


def window(core: Core, text: str, now: datetime = NOW) -> tuple[datetime, datetime]:
    """The --from and --to of a `maintenance` command typed at `now`."""
    command = g.parse(text)
    assert isinstance(command, g.Maintenance)
    return publishing.window(core, command, now)


def test_each_publishing_command_writes_its_update(core: Core) -> None:
    """Every publishing command writes the update of its own kind, queued for every enabled channel."""
    install(core)
    everyone = ["statuspage", "pager"]
    later = NOW + timedelta(days=1)
    assert publish(core, "open Checkout down -c app") == (1, 1, "declare", 0, everyone)
    assert publish(core, "update 1 -s identified Found it.") == (1, 2, "update", 0, everyone)
    assert publish(core, "resolve 1 --publish pager") == (1, 3, "resolve", 0, ["pager"])
    assert publish(core, "update 1 A postscript.") == (1, 4, "postscript", 0, everyone)
    assert publish(core, "reopen 1") == (1, 5, "reopen", 0, everyone)
    assert publish(core, "edit 1 2 -m Found it: a deploy.") == (1, 2, "update", 1, everyone)
    assert publish(core, "maintenance Upgrade --from 2010-09-03 02:00 --to 04:00") == (
        2, 1, "schedule", 0, everyone)
    assert publish(core, "start 2", later) == (2, 2, "start", 0, everyone)
    assert publish(core, "extend 2 --to 05:00", later) == (2, 3, "extend", 0, everyone)
    assert publish(core, "complete 2", later) == (2, 4, "complete", 0, everyone)


def test_preview_runs_the_update_step(core: Core) -> None:
    """A preview is the update it would post (the caller rolls it back); without an id it is refused."""
    publish(core, "open Checkout down")
    with core.sessions() as s, s.begin():
        made = publishing.publish(core, s, g.parse("preview 1 -s monitoring -m Watching."), author=None, now=NOW)
        assert (made.number, made.status, made.body) == (2, "monitoring", "Watching.")
        s.rollback()
    with core.sessions() as s, pytest.raises(UsageError) as caught:
        publishing.publish(core, s, g.Preview(None, "Watching."), author=None, now=NOW)
    assert caught.value.usage == g.USAGE["preview"]
    assert "needs the id of the incident" in caught.value.message


@pytest.mark.parametrize("command", [g.ListIncidents(), g.Show(1), g.Retry(1), g.Components(), g.Help(), g.OpenModal()])
def test_a_command_that_publishes_nothing_is_refused(core: Core, command: g.Command) -> None:
    """Reads and help are not publishing commands: `publish` refuses them by name."""
    with core.sessions() as s, pytest.raises(DomainError) as caught:
        publishing.publish(core, s, command, author=None, now=NOW)
    assert str(caught.value) == f"{type(command).__name__} is not a publishing command"


def test_channels_are_every_enabled_one_or_those_named(core: Core) -> None:
    """Without --publish every enabled channel gets the update; with it, the named ones in the order given."""
    install(core)
    assert publishing.channels(core, g.parse("open X")) == ["statuspage", "pager"]
    assert publishing.channels(core, g.parse("open X --publish pager,statuspage")) == ["pager", "statuspage"]
    assert publishing.channels(core, g.parse("start 1")) == ["statuspage", "pager"]  # start takes no --publish


@pytest.mark.parametrize(("named", "refused"), [("nowhere", "nowhere"), ("statuspage,twitter", "twitter"),
                                                ("forum,nowhere", "forum")])
def test_an_unknown_or_disabled_channel_is_refused(core: Core, named: str, refused: str) -> None:
    """A channel that is not enabled here is refused, naming the first such and every enabled one."""
    install(core)
    with pytest.raises(DomainError) as caught:
        publishing.channels(core, g.parse(f"open X --publish {named}"))
    assert str(caught.value) == f'unknown or disabled channel "{refused}" (enabled: statuspage, pager)'


def test_a_bare_from_is_its_next_occurrence_and_a_bare_to_the_first_after(core: Core) -> None:
    """Bare times look ahead: a start later today is today's, an end before the start on the clock is the next day's."""
    assert window(core, "maintenance X --from 23:00 --to 02:00") == (utc(9, 3, 6), utc(9, 3, 9))
    assert window(core, "maintenance X --from 10:00 --to 11:30") == (utc(9, 2, 17), utc(9, 2, 18, 30))
    assert window(core, "maintenance X --from 08:00 --to 09:00") == (utc(9, 3, 15), utc(9, 3, 16))


def test_a_bare_from_naming_the_current_minute_is_now(core: Core) -> None:
    """`--from 09:00` typed at 09:00:40 starts now, not tomorrow."""
    assert window(core, "maintenance X --from 09:00 --to 10:00", NOW + timedelta(seconds=40)) == (
        utc(9, 2, 16), utc(9, 2, 17))


def test_a_bare_window_across_the_night_the_clocks_go_forward(core: Core) -> None:
    """`--from 01:00 --to 04:00` on the night of 14 March 2010 is two hours: 02:00–03:00 never happened."""
    evening = utc(3, 14, 6)  # 2010-03-13 22:00 PST
    assert window(core, "maintenance X --from 01:00 --to 04:00", evening) == (utc(3, 14, 9), utc(3, 14, 11))


def test_a_dated_window_is_read_as_written(core: Core) -> None:
    """Dated times are not moved: a window written in the past stays there (the domain refuses or starts it)."""
    assert window(core, "maintenance X --from 2010-09-01 10:00 --to 2010-09-02 08:00") == (
        utc(9, 1, 17), utc(9, 2, 15))


def test_at_reads_a_time_of_today_or_nothing(core: Core) -> None:
    """`--at` is read in the display zone on today's date; an absent one stays absent; nonsense is refused."""
    assert publishing.at(core, None, NOW) is None
    assert publishing.at(core, "08:15", NOW) == utc(9, 2, 15, 15)
    assert publishing.at(core, "2010-09-01 23:00 UTC", NOW) == utc(9, 1, 23)
    with pytest.raises(TimeError):
        publishing.at(core, "teatime", NOW)


def test_an_at_time_becomes_the_start(core: Core) -> None:
    """`open --at 08:15` backdates the incident and its first update to 08:15 local."""
    publish(core, "open Checkout down --at 08:15")
    with core.sessions() as s:
        incident = s.get(Incident, 1)
        assert incident is not None and incident.started_at == utc(9, 2, 15, 15)
        assert s.scalars(select(Update.display_at)).one() == utc(9, 2, 15, 15)


def test_extend_with_a_bare_time_reads_it_after_the_windows_start(core: Core) -> None:
    """`extend --to 05:00` on tomorrow's window means tomorrow's 05:00, and the default text names it."""
    publish(core, "maintenance Upgrade --from 2010-09-03 02:00 --to 04:00")
    publish(core, "extend 1 --to 05:00")
    with core.sessions() as s:
        incident = s.get(Incident, 1)
        assert incident is not None and incident.scheduled_until == utc(9, 3, 12)
        last = s.scalars(select(Update.body).where(Update.number == 2)).one()
    assert last == ("The maintenance window has been extended; it is now expected to end at "
                    "2010-09-03 05:00 PDT (12:00 UTC).")


def test_minute_drops_seconds_and_microseconds() -> None:
    """The start of an instant's minute."""
    assert publishing.minute(datetime(2010, 9, 2, 16, 0, 59, 999999, tzinfo=UTC)) == NOW


def test_changes_are_name_and_status_pairs() -> None:
    """`-c app:major_outage,admin` becomes the domain's pairs, a status left out as None."""
    command = g.parse("open X -c app:major-outage,admin")
    assert isinstance(command, g.Open)
    assert publishing.changes(command.components) == [("app", "major_outage"), ("admin", None)]
    assert publishing.changes(()) == []


def test_body_is_the_message_as_written_or_the_default_of_the_status(core: Core) -> None:
    """A message is kept as typed; an absent or empty one is the status's default text, with its context."""
    assert publishing.body(core, "  *Down*  again ", "investigating") == "  *Down*  again "
    assert publishing.body(core, None, "monitoring") == "A fix has been put in place and we are monitoring the results."
    assert publishing.body(core, "", "resolved") == "This incident has been resolved."
    assert publishing.body(core, None, "scheduled", starts=utc(9, 3, 9), ends=utc(9, 3, 11)) == (
        "Maintenance is scheduled for 2010-09-03 02:00–04:00 PDT (09:00–11:00 UTC). "
        "We will post here when it begins and ends.")

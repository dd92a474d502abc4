"""Every /incident subcommand over signed HTTP to a real `herald serve`, checked in Slack's eyes and the DB."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.domain.models import Delivery, Incident, Update
from tests.serving import Served, ephemeral


def incident(served: Served, number: int) -> Incident:
    """The stored incident `number`, with its updates loaded."""
    with served.sessions() as session:
        found = session.get(Incident, number)
        assert found is not None
        _ = list(found.updates), list(found.affected)
        return found


def opened(served: Served, text: str) -> int:
    """Declare an incident with `/incident open TEXT`; returns its number."""
    reply = ephemeral(served.slack.command("open " + text))
    return int(reply.split("#", 1)[1].split(" ", 1)[0])


def test_help_is_private_usage(served: Served) -> None:
    """`/incident help` and `/incident help update` answer privately with the usage lines."""
    assert "/incident open TITLE" in ephemeral(served.slack.command("help"))
    assert ephemeral(served.slack.command("help update")).count("/incident update ID") == 1


def test_open_update_resolve(served: Served) -> None:
    """open, update and resolve commit, answer privately, and move the incident through its statuses."""
    number = opened(served, "Checkout errors -c app -i major -m Customers see *errors* at checkout")
    stored = incident(served, number)
    assert (stored.title, stored.impact, stored.status) == ("Checkout errors", "major", "investigating")
    assert stored.updates[0].body == "Customers see **errors** at checkout"
    text = f"update #{number} -s identified -c app:major_outage The cause is a bad deploy"
    reply = ephemeral(served.slack.command(text))
    assert "Saved update 2 (Identified" in reply
    assert incident(served, number).affected[0].status == "major_outage"
    assert "Resolved" in ephemeral(served.slack.command(f"resolve {number} -m All good"))
    done = incident(served, number)
    assert done.status == "resolved" and done.resolved_at is not None
    assert [u.body for u in done.updates][-1] == "All good"


def test_maintenance_start_complete_extend(served: Served) -> None:
    """maintenance schedules a window; extend, start and complete move it by hand."""
    reply = ephemeral(served.slack.command(
        'maintenance Database upgrade --from "2030-01-02 01:00" --to "2030-01-02 02:00" -c admin -m Planned'))
    number = int(reply.split("#", 1)[1].split(" ", 1)[0])
    assert incident(served, number).status == "scheduled"
    assert "Saved update 2" in ephemeral(served.slack.command(f'extend {number} --to "2030-01-02 03:00"'))
    assert "In Progress" in ephemeral(served.slack.command(f"start {number}"))
    assert "Completed" in ephemeral(served.slack.command(f"complete {number} All done"))
    assert incident(served, number).status == "completed"


def test_edit_keeps_history(served: Served) -> None:
    """edit corrects the latest update's text and keeps the old text as a revision."""
    number = opened(served, "Slow admin -m Admin is slow")
    assert "a correction (revision 1)" in ephemeral(served.slack.command(f"edit {number} -m Admin pages are slow"))
    update = incident(served, number).updates[0]
    assert (update.body, update.revision) == ("Admin pages are slow", 1)


def test_preview_and_dry_run_write_nothing(served: Served) -> None:
    """preview and --dry-run show each channel's text and write no update and no delivery."""
    number = opened(served, "Preview me -m First")
    with served.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Delivery))
    text = ephemeral(served.slack.command(f"preview {number} -m Still *looking* &amp; checking"))
    assert "nothing was saved or published" in text and "*Status page*" in text
    text = ephemeral(served.slack.command(f"update {number} --dry-run -m Would say this"))
    assert "Would say this" in text
    with served.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == before
        assert session.scalar(select(func.count()).where(Update.incident_id == number)) == 1


def test_list_show_components_retry(served: Served) -> None:
    """list, show and components answer privately with delivery state; retry with nothing failed says so."""
    number = opened(served, "Listed one -c www -m Visible")
    assert f"#{number} Listed one" in ephemeral(served.slack.command("list"))
    assert f"#{number} Listed one" in ephemeral(served.slack.command("list all"))
    shown = ephemeral(served.slack.command(f"show {number}"))
    assert "1. " in shown and "Visible" in shown and "Status page" in shown
    assert "www: " in ephemeral(served.slack.command("components"))
    assert "Nothing to retry" in ephemeral(served.slack.command(f"retry {number}"))


def test_mistakes_get_usage_and_change_nothing(served: Served) -> None:
    """Unknown subcommands, ids, components and statuses get a private error with the usage line."""
    with served.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Update))
    cases = {"frobnicate": "unknown subcommand", "update 99999 -m x": "no incident #99999",
             "open T -c nosuch": 'unknown component "nosuch"', "update 1 -s sleeping -m x": "sleeping",
             "open T -c wwww": 'unknown component "wwww" — did you mean "www"?'}
    for text, expected in cases.items():
        reply = ephemeral(served.slack.command(text))
        assert reply.startswith(":warning:") and expected in reply, reply
    assert "Usage: `/incident update ID" in ephemeral(served.slack.command("update"))
    with served.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Update)) == before

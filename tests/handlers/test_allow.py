"""Only allow-listed users, user groups or channels publish; refusals are clear and write nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.domain.models import Delivery, Incident, Update
from tests.handlers.test_commands import incident, opened
from tests.handlers.test_modals import response_posts
from tests.serving import Served, ephemeral
from tests.support import eventually

REFUSAL = "not on Herald's allow-list"


def counts(served: Served) -> tuple[int, int, int]:
    """How many incidents, updates and deliveries the database holds."""
    with served.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) or 0  # type: ignore[return-value]
                     for t in (Incident, Update, Delivery))


def test_stranger_is_refused_and_nothing_is_written(served: Served) -> None:
    """A user on no list gets a refusal for every publishing command, and nothing is stored or posted."""
    number = opened(served, "Owned -m Mine")
    before = counts(served)
    for text in ("open Sneaky -m hi", f"update {number} -m hijackZ", f"resolve {number}", f"retry {number}",
                 f"edit {number} -m changedZ"):
        reply = ephemeral(served.slack.command(text, user="U_STRANGER"))
        assert REFUSAL in reply and reply.startswith(":warning:"), text
    assert counts(served) == before
    assert not [c for c in served.fake.calls if any(w in str(c.params) for w in ("Sneaky", "hijackZ", "changedZ"))]


def test_stranger_may_read_and_preview(served: Served) -> None:
    """Reading commands and previews work for everyone."""
    number = opened(served, "Readable -m Public")
    assert f"#{number} Readable" in ephemeral(served.slack.command(f"show {number}", user="U_STRANGER"))
    assert "nothing was saved" in ephemeral(served.slack.command(f"preview {number} -m x", user="U_STRANGER"))
    assert "nothing was saved" in ephemeral(served.slack.command(f"update {number} --dry-run -m x",
                                                                 user="U_STRANGER"))


def test_group_member_and_allowed_channel_may_publish(served: Served) -> None:
    """A member of an allowed user group, or anyone in an allowed channel, may publish."""
    by_group = ephemeral(served.slack.command("open Group member -m ok", user="U_GROUPIE"))
    assert "Saved update 1" in by_group
    in_room = ephemeral(served.slack.command("open War room -m ok", user="U_STRANGER", channel="C_WARROOM"))
    assert "Saved update 1" in in_room
    assert {"usergroup": "S_ONCALL"}.items() <= served.fake.of("usergroups.users.list")[0].items()


def test_stranger_cannot_open_or_submit_modals_or_click(served: Served) -> None:
    """The Declare modal, a forged submission and the Resolve button are refused for a stranger."""
    number = opened(served, "Clicked -m x")
    views, before = len(served.fake.of("views.open")), counts(served)
    assert REFUSAL in ephemeral(served.slack.command("", user="U_STRANGER"))
    body = served.slack.submit("declare", {"title": "Forged", "impact": ("minor",), "status": ("investigating",)},
                               metadata={"channel": "C_OPS"}, user="U_STRANGER").json()
    assert body["response_action"] == "errors" and REFUSAL in body["errors"]["message"]
    assert served.slack.action("card_resolve", str(number), user="U_STRANGER").status_code == 200
    eventually(lambda: [p for p in response_posts(served, "action") if REFUSAL in p["text"]])
    assert incident(served, number).status == "investigating"
    assert counts(served) == before and len(served.fake.of("views.open")) == views

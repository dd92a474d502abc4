"""The update-cadence reminder's buttons, clicked through a served Herald with signed Slack requests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.domain.models import Incident, Job, Update, utcnow
from tests.serving import Served
from tests.support import eventually

THIRTY = timedelta(minutes=30)


def declare(served: Served, title: str) -> int:
    """Declare an incident by slash command and return its number once its card is posted."""
    assert served.slack.command(f"open {title} -c app -i major").status_code == 200

    def carded() -> int | None:
        with served.sessions() as s:
            found = s.scalars(select(Incident).where(Incident.title == title)).first()
            return found.id if found is not None and found.slack_card_ts else None

    return eventually(carded, what=f"a card for {title!r}")


def cadence_due(served: Served, number: int) -> list[datetime]:
    """When the incident's pending update-cadence reminders are due."""
    with served.sessions() as s:
        return list(s.scalars(select(Job.due_at).where(Job.incident_id == number, Job.kind == "cadence",
                                                       Job.state == "pending")))


def updated_with(served: Served, needle: str) -> dict:
    """The chat.update whose text contains `needle` (waiting for it)."""
    found = eventually(lambda: [p for p in served.fake.of("chat.update") if needle in str(p.get("text"))],
                       what=f"a chat.update with {needle!r}")
    return found[-1]


def test_snooze_moves_the_next_reminder_30_minutes_from_the_click(served: Served) -> None:
    """Snooze 30 min pushes the pending reminder to click time + 30 min and says so in the thread."""
    number = declare(served, "Snooze me")
    before = utcnow()
    response = served.slack.action("reminder_snooze", str(number), message_ts="1700000000.777001")
    after = utcnow()
    assert response.status_code == 200
    [due] = cadence_due(served, number)
    assert before + THIRTY <= due <= after + THIRTY
    update = updated_with(served, "snoozed this reminder")
    assert update["ts"] == "1700000000.777001" and "<@U_ALLOWED>" in update["text"]


def test_still_investigating_publishes_the_continuing_update(served: Served) -> None:
    """Still investigating posts the templated update everywhere and restarts the cadence from it."""
    number = declare(served, "Keep going")
    assert served.slack.action("reminder_continue", str(number)).status_code == 200
    with served.sessions() as s:
        latest = s.scalars(select(Update).where(Update.incident_id == number).order_by(Update.number.desc())).first()
    assert latest is not None and latest.number == 2
    assert latest.body.startswith("We are continuing to investigate this issue")
    assert cadence_due(served, number) == [latest.created_at + THIRTY]
    assert "posted update 2" in updated_with(served, "posted update 2")["text"]


def test_post_update_opens_the_update_modal(served: Served) -> None:
    """Post update opens the same Update modal as the card's button."""
    number = declare(served, "Tell them more")
    opened = len(served.fake.of("views.open"))
    assert served.slack.action("reminder_post_update", str(number)).status_code == 200
    views = served.fake.wait_for("views.open", opened + 1)
    assert views[-1]["view"]["callback_id"] == "update"


def test_someone_not_allowed_cannot_snooze(served: Served) -> None:
    """A user outside the allow-list is refused and the reminder stays where it was."""
    number = declare(served, "Not yours")
    [due] = cadence_due(served, number)
    before = len(served.fake.of("response_url"))
    assert served.slack.action("reminder_snooze", str(number), user="U_STRANGER", channel="C_OPS").status_code == 200
    refusal = served.fake.wait_for("response_url", before + 1)[before]
    assert "not on Herald's allow-list" in refusal["text"]
    assert cadence_due(served, number) == [due]

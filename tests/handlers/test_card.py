"""The incident card is posted once in the channel and edited in place; receipts thread under it."""

from __future__ import annotations

from tests.handlers.test_commands import incident, opened
from tests.serving import Served, ephemeral
from tests.support import eventually


def card_posts(served: Served, channel: str) -> list[dict]:
    """The top-level messages Herald posted in `channel`."""
    return [p for p in served.fake.of("chat.postMessage") if p["channel"] == channel and "thread_ts" not in p]


def test_card_posted_then_edited_in_place(served: Served) -> None:
    """Declaring posts one card with the SPEC times and buttons; an update edits that same message."""
    number = opened(served, "Card test -c app -i minor -m Looking")
    stored = eventually(lambda: incident(served, number).slack_card_ts and incident(served, number))
    assert stored.slack_channel == "C_OPS"
    card = next(p for p in card_posts(served, "C_OPS") if p["text"].startswith(f"#{number} "))
    texts = str(card["blocks"])
    assert "Investigating" in texts and "app (degraded performance)" in texts and " PST (" in texts
    assert [e["action_id"] for e in card["blocks"][-1]["elements"]] == ["card_update", "card_resolve",
                                                                       "card_preview"]
    ephemeral(served.slack.command(f"update {number} -s monitoring -m A fix is out", channel="C_OTHER"))
    edits = eventually(lambda: [u for u in served.fake.of("chat.update")
                                if u["ts"] == stored.slack_card_ts and "Monitoring" in str(u["blocks"])])
    assert edits[0]["channel"] == "C_OPS"
    assert not [p for p in card_posts(served, "C_OTHER") if p["text"].startswith(f"#{number} ")]


def test_receipts_follow_the_outbox(served: Served) -> None:
    """The receipts reply sits in the card's thread and is edited to ✓ once the status page is written."""
    number = opened(served, "Receipts test -m Watching")
    stored = eventually(lambda: incident(served, number).slack_receipts_ts and incident(served, number))
    threaded = [p for p in served.fake.of("chat.postMessage") if p.get("thread_ts") == stored.slack_card_ts]
    assert len(threaded) == 1 and threaded[0]["text"].startswith("Update 1: Status page")

    def shown() -> list[str]:  # the receipts as posted, then as edited in place
        edits = [u["text"] for u in served.fake.of("chat.update") if u["ts"] == stored.slack_receipts_ts]
        return [threaded[0]["text"], *edits]

    done = eventually(lambda: "Status page ✓" in shown()[-1] and shown())
    assert f"/incidents/{number}/|link>" in done[-1]
    assert (served.site / "incidents" / str(number) / "index.html").exists()


def test_ack_never_waits_for_slack(served: Served) -> None:
    """With chat.update blocked, the HTTP answer to /incident update arrives before that call can finish."""
    number = opened(served, "Blocked Slack -m Start")
    eventually(lambda: incident(served, number).slack_receipts_ts)
    release = served.fake.hold("chat.update", containing="Slack+hangs")
    try:
        reply = served.slack.command(f"update {number} -s identified -m While Slack+hangs")
        assert reply.status_code == 200 and "Saved update 2" in reply.json()["text"]
        ours = [c for c in served.fake.calls if c.method == "chat.update" and "While Slack+hangs" in str(c.params)]
        assert not any(c.finished for c in ours)  # nothing of this update's Slack work was done before the ack
        blocked = eventually(lambda: [c for c in served.fake.calls
                                      if c.method == "chat.update" and "While Slack+hangs" in str(c.params)])
        assert not blocked[0].finished  # the work did start, after the answer, and is still held
    finally:
        release.set()
        del served.fake.held["chat.update"]
    assert eventually(lambda: blocked[0].finished)


def test_modal_opens_while_background_is_clogged(served: Served) -> None:
    """Bare /incident opens the Declare modal even while every after-response worker is stuck on Slack."""
    release = served.fake.hold("chat.postMessage")
    try:
        for n in range(5):
            ephemeral(served.slack.command(f"open Clog {n} -m x", channel="C_CLOG"))
        eventually(lambda: len([c for c in served.fake.calls if c.method == "chat.postMessage"
                                and not c.finished]) >= 4)
        before = len(served.fake.of("views.open"))
        reply = served.slack.command("", channel="C_CLOG")
        assert reply.status_code == 200 and reply.text == ""
        opened_view = served.fake.wait_for("views.open", count=before + 1, timeout=5)[-1]
        assert opened_view["view"]["callback_id"] == "declare"
    finally:
        release.set()
        del served.fake.held["chat.postMessage"]

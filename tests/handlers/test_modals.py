"""The Declare and Update modals and the card's buttons, driven as Slack drives them."""

from __future__ import annotations

import json

from tests.handlers.test_commands import incident, opened
from tests.serving import Served, ephemeral
from tests.support import eventually


def views_opened(served: Served, before: int) -> dict:
    """The view of the next views.open call after `before` calls."""
    return served.fake.wait_for("views.open", count=before + 1)[before]["view"]


def response_posts(served: Served, kind: str) -> list[dict]:
    """What Herald posted to response_urls of `kind` (command or action)."""
    return [p for p in served.fake.of("response_url") if p["_path"].startswith(f"/r/{kind}/")]


def test_bare_command_opens_declare_modal(served: Served) -> None:
    """`/incident` opens the Declare modal listing the components, impacts, statuses and channels."""
    before = len(served.fake.of("views.open"))
    reply = served.slack.command("")
    assert reply.status_code == 200
    view = views_opened(served, before)
    blocks = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    assert list(blocks) == ["title", "components", "impact", "status", "message", "at", "publish"]
    assert [o["value"] for o in blocks["components"]["element"]["options"]][:3] == ["app", "admin", "www"]
    assert [o["value"] for o in blocks["publish"]["element"]["options"]] == ["statuspage"]
    assert served.fake.of("views.open")[before]["trigger_id"].startswith("trigger-")


def test_declare_submission_declares_and_posts_card(served: Served) -> None:
    """Submitting the Declare modal declares the incident, posts its card and confirms privately."""
    reply = served.slack.submit("declare", {
        "title": "Modal declared", "components": ["app", "www"], "impact": ("critical",),
        "status": ("identified",), "message": "Found it <@U999|bob>", "at": None, "publish": ["statuspage"],
    }, metadata={"channel": "C_MODAL"})
    assert reply.status_code == 200 and reply.text == ""
    card = eventually(lambda: [p for p in served.fake.of("chat.postMessage")
                               if p["channel"] == "C_MODAL" and "Modal declared" in p["text"]])
    number = int(card[0]["text"][1:].split(" ")[0])
    stored = incident(served, number)
    assert (stored.impact, stored.status, stored.updates[0].body) == ("critical", "identified", "Found it")
    assert sorted(a.component.name for a in stored.affected) == ["app", "www"]
    confirm = eventually(lambda: [p for p in served.fake.of("chat.postEphemeral") if f"#{number} " in p["text"]])
    assert confirm[0]["user"] == "U_ALLOWED"


def test_declare_errors_show_on_the_form(served: Served) -> None:
    """A bad backdate comes back as an error on the form, and nothing is declared."""
    reply = served.slack.submit("declare", {"title": "Bad time", "at": "25:99", "message": None,
                                            "impact": ("minor",), "status": ("investigating",)},
                                metadata={"channel": "C_MODAL"})
    body = reply.json()
    assert body["response_action"] == "errors" and "25:99" in body["errors"]["message"]


def test_update_button_and_modal(served: Served) -> None:
    """The card's Update button opens the Update modal; submitting it posts the update."""
    number = opened(served, "Button test -c admin -m First")
    before = len(served.fake.of("views.open"))
    assert served.slack.action("card_update", str(number)).status_code == 200
    view = views_opened(served, before)
    assert view["callback_id"] == "update" and f'"incident": {number}' in view["private_metadata"]
    reply = served.slack.submit("update", {"status": ("monitoring",), "components": ["admin"],
                                           "component_status": ("partial_outage",), "message": "Watching it"},
                                metadata={"channel": "C_OPS", "incident": number})
    assert reply.status_code == 200
    stored = incident(served, number)
    assert (stored.status, stored.updates[-1].body, stored.affected[0].status) == (
        "monitoring", "Watching it", "partial_outage")


def test_resolve_and_preview_buttons(served: Served) -> None:
    """Resolve resolves and answers through response_url; Preview shows each channel's text privately."""
    number = opened(served, "Buttons -m Broken")
    assert served.slack.action("card_preview", str(number)).status_code == 200
    eventually(lambda: [p for p in response_posts(served, "action") if "nothing was saved" in p["text"]])
    assert served.slack.action("card_resolve", str(number)).status_code == 200
    assert eventually(lambda: incident(served, number).status == "resolved")
    done = eventually(lambda: [p for p in response_posts(served, "action") if f"#{number} Buttons" in p["text"]])
    assert done[0]["response_type"] == "ephemeral" and "Resolved" in done[0]["text"]


def test_forged_button_value_is_unexpected_error_with_ref(served: Served) -> None:
    """An unexpected failure answers "something went wrong (ref …)" and logs the traceback under that ref."""
    assert served.slack.action("card_resolve", "not-a-number").status_code == 200
    posted = eventually(lambda: [p for p in response_posts(served, "action") if "went wrong" in p["text"]])
    ref = posted[0]["text"].split("(ref ")[1].split(")")[0]
    log = eventually(lambda: ref in served.log.read_text() and served.log.read_text())
    assert "Traceback" in log.split(ref, 1)[1] and "ValueError" in log.split(ref, 1)[1]


def test_list_is_readable_by_anyone(served: Served) -> None:
    """Reading needs no allow-list."""
    assert ephemeral(served.slack.command("list", user="U_STRANGER")).startswith(("*#", "No incidents"))


def test_receipts_retry_button(served: Served) -> None:
    """The receipts' Retry button re-queues failed deliveries, or says there is nothing to retry."""
    number = opened(served, "Retry button -m x")
    assert served.slack.action("receipts_retry", str(number)).status_code == 200
    eventually(lambda: [p for p in response_posts(served, "action") if "Nothing to retry" in p["text"]])


def test_an_update_modal_that_says_nothing_is_refused_on_the_form(served: Served) -> None:
    """Submitted as opened (same status, same components) with no message, the Update modal is refused on the
    form as `/incident update ID` alone is, and no default text is published; with a message it posts."""
    number = opened(served, "Empty modal -c admin -m First")
    before = len(served.fake.of("views.open"))
    served.slack.action("card_update", str(number))
    view = views_opened(served, before)
    metadata = json.loads(view["private_metadata"])
    unchanged = {"status": ("investigating",), "components": ["admin"], "component_status": (), "message": None}
    body = served.slack.submit("update", unchanged, metadata=metadata).json()
    assert body["response_action"] == "errors" and "needs a message" in body["errors"]["message"]
    assert len(incident(served, number).updates) == 1
    reply = served.slack.submit("update", {**unchanged, "message": "Now with words"}, metadata=metadata)
    assert reply.status_code == 200 and reply.text == ""
    assert [u.body for u in incident(served, number).updates] == ["First", "Now with words"]

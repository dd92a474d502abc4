"""Hostile text is refused with a clear message or stored and shown safely."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from tests.handlers.conftest import Served, ephemeral
from tests.handlers.test_card import wait_until
from tests.handlers.test_commands import incident, opened


def mrkdwn_of(served: Served, number: int) -> list[str]:
    """Every mrkdwn text Herald posted or edited for the card of `number` (plain_text shows markup literally)."""
    ts = wait_until(lambda: incident(served, number).slack_card_ts)
    calls = [c for c in served.fake.of("chat.postMessage") + served.fake.of("chat.update")
             if c.get("ts") == ts or c.get("text", "").startswith(f"#{number} ")]
    texts = [c["text"] for c in calls]
    for call in calls:
        texts += _mrkdwn(json.loads(call["blocks"]) if isinstance(call["blocks"], str) else call["blocks"])
    return texts


def _mrkdwn(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for value in node.values() for t in _mrkdwn(value)]
    if isinstance(node, list):
        return [t for item in node for t in _mrkdwn(item)]
    return []


def test_markup_and_mentions_are_made_harmless(served: Served) -> None:
    """`<script>`, user mentions and `<!channel>` are stored as inert text and never ping or link in Slack."""
    number = opened(served, "&lt;script&gt;alert(1)&lt;/script&gt; -m Hi <@U123|alice> <!channel> "
                            "&lt;script&gt;x&lt;/script&gt; <!here>")
    stored = incident(served, number)
    assert stored.title == "<script>alert(1)</script>"
    assert stored.updates[0].body == "Hi <script>x</script>"
    texts = mrkdwn_of(served, number)
    assert any("&lt;script&gt;x&lt;/script&gt;" in t for t in texts)
    for text in texts:
        assert "<script>" not in text and "<!" not in text and "<@" not in text
        assert "U123" not in text and "alice" not in text


def test_long_text_and_nul_are_refused(served: Served) -> None:
    """A 10,000-character message and a NUL byte are refused with a reason; nothing is declared."""
    long = ephemeral(served.slack.command("open Long -m " + "a" * 10_000))
    assert long.startswith(":warning:") and "5,000" in long.replace("5000", "5,000")
    nul = ephemeral(served.slack.command("open Nul -m a\x00b"))
    assert "NUL" in nul


def test_bidi_override_is_dropped(served: Served) -> None:
    """A right-to-left override cannot disguise stored text: it is removed before storing."""
    number = opened(served, "Invoice \u202egnp.exe -m See \u202etxt.exe now")
    stored = incident(served, number)
    assert "\u202e" not in stored.title and stored.updates[0].body == "See txt.exe now"


CONTROLS = "\x1b[31m\x07\x1b]8;;https://evil.example\x07\x9b2J\x1b"  # ESC, CSI, BEL, OSC, C1 CSI


def has_controls(text: str) -> bool:
    """True if `text` holds a C0 control other than newline and tab, DEL, or a C1 control."""
    return any((ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F for ch in text)


def test_control_characters_are_removed_from_commands(served: Served) -> None:
    """ESC, BEL, CSI, OSC and C1 controls in a slash command never reach the stored title or message."""
    number = opened(served, f"Red{CONTROLS} alert -m Line{CONTROLS} one\nline\ttwo")
    stored = incident(served, number)
    assert not has_controls(stored.title) and not has_controls(stored.updates[0].body)
    assert stored.title == "Red[31m]8;;https://evil.example2J alert"
    assert stored.updates[0].body.endswith("one\nline\ttwo")
    for feed in ("history.atom", "history.rss"):  # XML 1.0 forbids these characters: the feeds must parse
        path = served.site / feed
        text = wait_until(lambda p=path: p.exists() and "2J alert" in p.read_text() and p.read_text(), timeout=30)
        ElementTree.fromstring(text)


def test_control_characters_are_removed_from_modals(served: Served) -> None:
    """The Declare modal's title and message lose their control characters the same way."""
    reply = served.slack.submit("declare", {
        "title": f"Modal{CONTROLS} title", "message": f"Modal{CONTROLS} body", "impact": ("minor",),
        "status": ("investigating",), "at": None, "publish": ["statuspage"],
    }, metadata={"channel": "C_CONTROLS"})
    assert reply.status_code == 200 and reply.text == ""
    card = wait_until(lambda: [p for p in served.fake.of("chat.postMessage") if p["channel"] == "C_CONTROLS"])
    stored = incident(served, int(card[0]["text"][1:].split(" ")[0]))
    assert (stored.title, stored.updates[0].body) == ("Modal[31m]8;;https://evil.example2J title",
                                                      "Modal[31m]8;;https://evil.example2J body")

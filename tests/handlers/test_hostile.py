"""Hostile text is refused with a clear message or stored and shown safely."""

from __future__ import annotations

import json
import re

from tests.bot.test_mrkdwn import BROADCASTS, assert_inert
from tests.handlers.conftest import Served, ephemeral
from tests.handlers.test_card import wait_until
from tests.handlers.test_commands import incident, opened

PHISH = "[https://status.example.com](https://evil.example/phish) <https://evil.example/x|status.example.com>"
HOSTILE = f"{BROADCASTS} {PHISH}"  # Markdown typed in Slack arrives as is; the Slack link as Slack sends it


def assert_safe(text: str) -> None:
    """Inert (no special token, only web links) and no link labelled with an address it does not go to."""
    assert_inert(text)
    for target, label in re.findall(r"<([^<>|]*)\|([^<>]*)>", text):
        assert "status.example.com" not in label or target.startswith("https://status.example.com"), text


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


def receipts_of(served: Served, number: int) -> list[str]:
    """Every text Herald posted or edited as the receipts under the card of `number`."""
    stored = wait_until(lambda: incident(served, number).slack_receipts_ts and incident(served, number))
    posted = [p for p in served.fake.of("chat.postMessage") if p.get("thread_ts") == stored.slack_card_ts]
    edits = [u for u in served.fake.of("chat.update") if u["ts"] == stored.slack_receipts_ts]
    return [c["text"] for c in posted + edits] + [t for c in posted + edits for t in _mrkdwn(_blocks(c))]


def _blocks(call: dict) -> object:
    return json.loads(call["blocks"]) if isinstance(call.get("blocks"), str) else call.get("blocks")


def test_no_payload_of_issue_12_becomes_a_broadcast_mention_or_phish(served: Served) -> None:
    """`[everyone](!channel)`, `[boss](@U0BOSS)`, channel, subteam and date links and a URL-labelled phishing
    link are shown as words or as their real target in every reply, the card, its receipts and the modal."""
    reply = ephemeral(served.slack.command(f"open Phish {BROADCASTS} -m {HOSTILE}"))
    number = int(reply.split("#", 1)[1].split(" ", 1)[0])
    texts = [reply, *mrkdwn_of(served, number), *receipts_of(served, number)]
    texts.append(ephemeral(served.slack.command(f"update {number} -m {HOSTILE}")))
    texts.append(ephemeral(served.slack.command(f"show {number}")))
    texts.append(ephemeral(served.slack.command(f"preview {number} -m {HOSTILE}")))
    texts.append(ephemeral(served.slack.command(f"update {number} --dry-run -m {HOSTILE}")))
    texts.append(ephemeral(served.slack.command(f"update {number} -s {BROADCASTS}")))  # an error echoes it
    texts.append(ephemeral(served.slack.command("list open")))
    before = len(served.fake.of("views.open"))
    served.slack.action("card_update", str(number))
    texts += _mrkdwn(served.fake.wait_for("views.open", count=before + 1)[before]["view"])
    card = " ".join(mrkdwn_of(served, number))
    assert "everyone" in card and "boss" in card and "<https://evil.example/phish>" in card
    for text in texts:
        assert_safe(text)
    for call in served.fake.of("chat.postMessage") + served.fake.of("chat.update"):
        assert not {"link_names", "parse"} & set(call), call  # Slack never turns @channel words into pings

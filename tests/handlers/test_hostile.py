"""Hostile text is refused with a clear message or stored and shown safely."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
from sqlalchemy import select

from bot.domain.models import Incident
from tests.bot.text.test_mrkdwn import BROADCASTS, assert_inert
from tests.handlers.signed import SECRET
from tests.handlers.test_allow import counts
from tests.handlers.test_commands import incident, opened
from tests.serving import Served, ephemeral
from tests.support import eventually

PHISH = "[https://status.example.com](https://evil.example/phish) <https://evil.example/x|status.example.com>"
HOSTILE = f"{BROADCASTS} {PHISH}"  # Markdown typed in Slack arrives as is; the Slack link as Slack sends it


def assert_safe(text: str) -> None:
    """Inert (no special token, only web links) and no link labelled with an address it does not go to."""
    assert_inert(text)
    for target, label in re.findall(r"<([^<>|]*)\|([^<>]*)>", text):
        assert "status.example.com" not in label or target.startswith("https://status.example.com"), text


def mrkdwn_of(served: Served, number: int) -> list[str]:
    """Every mrkdwn text Herald posted or edited for the card of `number` (plain_text shows markup literally)."""
    ts = eventually(lambda: incident(served, number).slack_card_ts)
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
        text = eventually(lambda p=path: p.exists() and "2J alert" in p.read_text() and p.read_text(), timeout=30)
        ElementTree.fromstring(text)


def test_control_characters_are_removed_from_modals(served: Served) -> None:
    """The Declare modal's title and message lose their control characters the same way."""
    reply = served.slack.submit("declare", {
        "title": f"Modal{CONTROLS} title", "message": f"Modal{CONTROLS} body", "impact": ("minor",),
        "status": ("investigating",), "at": None, "publish": ["statuspage"],
    }, metadata={"channel": "C_CONTROLS"})
    assert reply.status_code == 200 and reply.text == ""
    card = eventually(lambda: [p for p in served.fake.of("chat.postMessage") if p["channel"] == "C_CONTROLS"])
    stored = incident(served, int(card[0]["text"][1:].split(" ")[0]))
    assert (stored.title, stored.updates[0].body) == ("Modal[31m]8;;https://evil.example2J title",
                                                      "Modal[31m]8;;https://evil.example2J body")


def receipts_of(served: Served, number: int) -> list[str]:
    """Every text Herald posted or edited as the receipts under the card of `number`."""
    stored = eventually(lambda: incident(served, number).slack_receipts_ts and incident(served, number))
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


# Issue 12 item 2: requests that are too big, unsigned, stale or malformed.
FORM = "application/x-www-form-urlencoded"
VIEW = b'payload={"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"update"}}'


def signed_headers(raw: bytes, timestamp: str | None = None, content_type: str = FORM) -> dict[str, str]:
    """Headers Slack would send for `raw` (bytes, signed as bytes), at `timestamp` (now by default)."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest}


def post(served: Served, raw: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST `raw` to /slack/events with exactly `headers`."""
    return httpx.post(served.url + "/slack/events", content=raw, headers=headers, timeout=20)


def logged(served: Served, action: Callable[[], object]) -> tuple[object, str]:
    """Run `action`; return its result and what the server logged meanwhile."""
    before = served.log.stat().st_size
    result = action()
    time.sleep(0.1)  # lines are written before the answer; this only lets the file catch up
    with served.log.open("rb") as log:
        log.seek(before)
        return result, log.read().decode("utf-8", "replace")


def raw_exchange(served: Served, head: str, body: bytes = b"") -> bytes:
    """Send `head` (and `body`) on a plain socket and return the start of the answer (20 s at most)."""
    where = urlsplit(served.url)
    with socket.create_connection((where.hostname, where.port), timeout=20) as sock:
        with contextlib.suppress(OSError):  # the server may answer and close before all is sent
            sock.sendall(head.encode() + body)
        return sock.recv(4096)


def big_head(length: int | None) -> str:
    """A request head declaring `length` bytes of body (chunked when None)."""
    size = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n{size}\r\n\r\n"


def test_malformed_requests_get_a_4xx_and_one_log_line(served: Served) -> None:
    """Unsigned `payload={not` is 401, signed it is 400, `X-Slack-Request-Timestamp: abc` is 401; each writes
    exactly one log line and no traceback."""
    bad = b"payload={not"
    cases = {
        "unsigned": (bad, {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time()))}, 401),
        "signed": (bad, signed_headers(bad), 400),
        "signed json": (b"{not json", signed_headers(b"{not json", content_type="application/json"), 400),
        "not an object": (b"payload=[1,2]", signed_headers(b"payload=[1,2]"), 400),
        "view without its fields": (VIEW, signed_headers(VIEW), 400),
        "command without a user": (b"command=%2Fincident&text=list", signed_headers(b"command=%2Fincident&text=list"),
                                   400),
        "timestamp abc": (b"text=x", signed_headers(b"text=x", timestamp="abc"), 401),
        "stale": (b"text=x", signed_headers(b"text=x", timestamp=str(int(time.time()) - 301)), 401),
    }
    for name, (raw, headers, status) in cases.items():
        response, log = logged(served, lambda raw=raw, headers=headers: post(served, raw, headers))
        assert isinstance(response, httpx.Response) and response.status_code == status, name
        assert log.count("refused POST /slack/events") == 1 and "Traceback" not in log, (name, log)


def test_a_flood_of_malformed_requests_writes_a_line_each(served: Served) -> None:
    """200 unsigned malformed posts are 200 short lines, not 200 tracebacks."""
    def flood() -> list[int]:
        with httpx.Client(timeout=20) as client:
            return [client.post(served.url + "/slack/events", content=b"payload={not",
                                headers={"Content-Type": FORM}).status_code for _ in range(200)]
    statuses, log = logged(served, flood)
    assert statuses == [401] * 200
    assert log.count("refused POST /slack/events") == 200 and "Traceback" not in log
    assert len(log.encode()) < 200 * 200


def test_invalid_utf8_is_refused_not_stored_as_replacement_characters(served: Served) -> None:
    """A signed command with invalid UTF-8, raw or percent-encoded, is refused with 400 and stores nothing."""
    before = counts(served)
    body = served.slack.command_body("open Utf8 probe -m x", user="U_ALLOWED", channel="C_OPS")
    raw = body.replace("Utf8", "%FF%FE").encode(), body.encode().replace(b"Utf8", b"\xff\xfe")
    for variant in raw:
        response, log = logged(served, lambda v=variant: post(served, v, signed_headers(v)))
        assert isinstance(response, httpx.Response) and response.status_code == 400
        assert log.count("refused POST /slack/events") == 1 and "Traceback" not in log
    assert counts(served) == before
    with served.sessions() as session:
        assert not session.scalars(select(Incident).where(Incident.title.contains("\ufffd"))).first()


def test_an_oversize_body_is_refused_without_being_read(served: Served) -> None:
    """A declared 100 MB body gets 413 while the client has sent none of it; a chunked body is cut off
    with 413 once it passes the limit."""
    assert raw_exchange(served, big_head(100 * 1024 * 1024)).startswith(b"HTTP/1.1 413")
    chunk = b"%x\r\n" % (64 * 1024) + b"a" * (64 * 1024) + b"\r\n"
    assert raw_exchange(served, big_head(None), chunk * 20).startswith(b"HTTP/1.1 413")


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its children (the gunicorn workers), in bytes."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        status = Path(f"/proc/{current}/status").read_text()
        total += int(status.split("VmRSS:")[1].split()[0]) * 1024
        for task in Path(f"/proc/{current}/task").iterdir():
            todo += [int(c) for c in (task / "children").read_text().split()]
    return total


def test_big_bodies_cost_no_memory_and_a_real_command_still_gets_through(served: Served) -> None:
    """While eight clients push 50 MB bodies, a real signed command is answered and saved, each big body
    gets 413, and the server's memory does not grow by the bodies' size."""
    before = tree_rss(served.process.pid)
    answers: list[bytes] = []

    def push() -> None:
        answers.append(raw_exchange(served, big_head(50 * 1024 * 1024), b"a" * (1024 * 1024)))

    pushers = [threading.Thread(target=push) for _ in range(8)]
    for thread in pushers:
        thread.start()
    reply = ephemeral(served.slack.command("open Under load -m still answered"))
    for thread in pushers:
        thread.join(30)
    assert "Saved update 1" in reply
    assert len(answers) == 8 and all(a.startswith(b"HTTP/1.1 413") for a in answers)
    assert tree_rss(served.process.pid) - before < 64 * 1024 * 1024  # the bodies were 400 MB in all

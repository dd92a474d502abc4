"""Slack mrkdwn becomes public Markdown: no mentions, links kept, formatting and entities converted."""

from __future__ import annotations

import re

import pytest

from bot.text.mrkdwn import escape, to_markdown, to_mrkdwn, to_plain

CASES = [
    ("Hi <@U123|alice> and <@U456>", "Hi and"),
    ("<!channel> db down <!here> <!everyone>", "db down"),
    ("see <#C123|ops> now", "see now"),
    ("ping <!subteam^S123|@oncall> please", "ping please"),
    ("<https://x.test/a?b=1&amp;c=2|the log>", "[the log](https://x.test/a?b=1&c=2)"),
    ("<https://x.test>", "<https://x.test>"),
    ("<mailto:ops@x.test|mail us>", "[mail us](mailto:ops@x.test)"),
    ("*bold* and _it_ and ~gone~", "**bold** and _it_ and ~~gone~~"),
    ("2*3*4 stays", "2*3*4 stays"),
    ("• one\n• two", "- one\n- two"),
    ("1. first\n2. second", "1. first\n2. second"),
    ("`a *b*` text", "`a *b*` text"),
    ("```x  =  *1*```", "```\nx  =  *1*\n```"),
    ("&lt;script&gt; &amp; &gt; quote", "<script> & > quote"),
    ("&gt; quoted line", "> quoted line"),
    ("at <!date^1392734382^{date}|Feb 18, 2014>", "at Feb 18, 2014"),
    ("evil \u202etxt.exe", "evil txt.exe"),
]


@pytest.mark.parametrize(("slack", "markdown"), CASES)
def test_to_markdown(slack: str, markdown: str) -> None:
    """Each Slack construct converts as SPEC §3 says."""
    assert to_markdown(slack) == markdown


def test_to_plain_for_titles() -> None:
    """Titles lose mentions and keep link labels, with entities decoded and no Markdown added."""
    assert to_plain("DB *slow* for <@U1> &amp; <https://x.test|admins>") == "DB *slow* for & admins"


def test_escape_makes_text_inert_in_slack() -> None:
    """Escaped text cannot form a mention, a broadcast or a link."""
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


# Issue 12's payloads as they reach the Markdown → mrkdwn converter (stored bodies, CLI text, previews).
BROADCASTS = "[everyone](!channel) [here](!here) [all](!everyone) [boss](@U0BOSS) [secret](#C0SECRET) " \
             "[oncall](!subteam^S0ONCALL) [when](!date^1392734382^{date}|Feb 18) ![x](!channel)"
SPECIAL = re.compile(r"<\s*[!@#]")
LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def assert_inert(mrkdwn: str) -> None:
    """No Slack special token in `mrkdwn`, and every link goes to a web or mail address."""
    assert not SPECIAL.search(mrkdwn), mrkdwn
    for target, _label in LINK.findall(mrkdwn):
        assert target.startswith(("https://", "http://", "mailto:")), mrkdwn


def test_markdown_links_cannot_become_broadcasts_or_mentions() -> None:
    """`[everyone](!channel)` and its kin become their words, never `<!channel|everyone>` or a mention."""
    out = to_mrkdwn(BROADCASTS)
    assert_inert(out)
    for word in ("everyone", "here", "all", "boss", "secret", "oncall", "when"):
        assert word in out


def test_raw_tokens_typed_as_text_stay_text() -> None:
    """Raw `<!channel>`, `<@U1>` and `<#C1|x>` in a stored body (typed in the CLI) are shown literally."""
    out = to_mrkdwn("<!channel> <!here|here> <@U0BOSS> <#C0SECRET|secret> <!subteam^S0ONCALL|oncall> & more")
    assert_inert(out)
    assert out == ("&lt;!channel&gt; &lt;!here|here&gt; &lt;@U0BOSS&gt; &lt;#C0SECRET|secret&gt; "
                   "&lt;!subteam^S0ONCALL|oncall&gt; &amp; more")


@pytest.mark.parametrize(("markdown", "mrkdwn"), [
    ("[https://status.example.com](https://evil.example/phish)", "<https://evil.example/phish>"),
    ("[status.example.com](https://evil.example/phish)", "<https://evil.example/phish>"),
    ("[see https://status.example.com now](https://evil.example/phish)", "<https://evil.example/phish>"),
    ("[ops@example.com](mailto:evil@evil.example)", "<mailto:evil@evil.example>"),
    ("[status.example.com](https://status.example.com/incidents/1)",
     "<https://status.example.com/incidents/1|status.example.com>"),
    ("[the log](https://x.test/a?b=1&c=2)", "<https://x.test/a?b=1&amp;c=2|the log>"),
    ("[click](javascript:alert(1))", "click)"),
])
def test_a_label_naming_another_address_shows_the_target(markdown: str, mrkdwn: str) -> None:
    """A link whose label spells another address shows where it really goes; honest labels stay."""
    assert to_mrkdwn(markdown) == mrkdwn


def test_slack_links_with_misleading_labels_are_stored_as_their_target() -> None:
    """A Slack link `<https://evil|https://status.example.com>` is stored as the bare target."""
    assert to_markdown("<https://evil.example/phish|https://status.example.com> or <https://x.test|docs>") == \
        "<https://evil.example/phish> or [docs](https://x.test)"

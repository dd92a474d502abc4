"""Slack mrkdwn becomes public Markdown: no mentions, links kept, formatting and entities converted."""

from __future__ import annotations

import pytest

from bot.mrkdwn import escape, to_markdown, to_plain

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

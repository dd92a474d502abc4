"""Links people can trust: web and mail targets only, and no label that names another address."""

from __future__ import annotations

import pytest

from bot.text.links import is_web_target, misleading, slack_link


@pytest.mark.parametrize(("target", "ok"), [
    ("https://status.example.com/incidents/1", True), ("http://x.test", True), ("mailto:ops@x.test", True),
    ("!channel", False), ("@U0BOSS", False), ("#C0SECRET", False), ("!subteam^S0ONCALL", False),
    ("javascript:alert(1)", False), ("https://", False), ("https://x.test/a b", False), ("mailto:nobody", False),
])
def test_only_web_and_mail_targets_are_links(target: str, ok: bool) -> None:
    """http(s) URLs with a host and mailto: addresses are link targets; Slack tokens and scripts are not."""
    assert is_web_target(target) is ok


@pytest.mark.parametrize(("label", "target", "bad"), [
    ("https://status.example.com", "https://evil.example/phish", True),
    ("status.example.com/login", "https://evil.example", True),
    ("Our status page (status.example.com)", "https://evil.example", True),
    ("www.status.example.com", "https://status.example.com/x", False),
    ("STATUS.EXAMPLE.COM", "https://status.example.com", False),
    ("the incident log", "https://evil.example", False),
    ("v1.2 release notes", "https://x.test", False),
    ("ops@example.com", "mailto:ops@example.com", False),
    ("ops@example.com", "mailto:evil@evil.example", True),
])
def test_misleading_labels_are_those_naming_another_address(label: str, target: str, bad: bool) -> None:
    """A label is misleading when it spells a host or address other than the target's."""
    assert misleading(label, target) is bad


def test_slack_link_escapes_and_never_makes_a_token() -> None:
    """Targets and labels are escaped, `|` in a URL cannot split it, and a token target is plain text."""
    assert slack_link("https://x.test/?a=1&b=<2>|3", "A & <B>") == \
        "<https://x.test/?a=1&amp;b=&lt;2&gt;%7C3|A &amp; &lt;B&gt;>"
    assert slack_link("!channel", "everyone") == "everyone"
    assert slack_link("<!here>") == "&lt;!here&gt;"
    assert slack_link("https://evil.example/phish", "https://status.example.com") == "<https://evil.example/phish>"

"""Links people can trust: only web and mail targets, and never a label that names another address.

`[https://status.example.com](https://evil.example/phish)` shows a trusted address over a phishing
link; `[everyone](!channel)` becomes Slack's `<!channel|everyone>` broadcast once converted to mrkdwn.
`slack_link` is the one place Herald writes a `<target|label>` into mrkdwn: a target that is not an
http, https or mailto URL is shown as inert text, and a label that looks like an address other than
the target's is replaced by the target itself. `misleading` is the same test for other channels.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SCHEMES = ("http", "https", "mailto")
_HOSTLIKE = re.compile(  # an address a reader would take for where the link goes: host.tld or a URL
    r"^(?:[a-z][a-z0-9+.-]*:(?://)?)?(?:[^\s/@]+@)?(?P<host>[^\s/:?#@]+\.[^\s/:?#@.]{2,})\.?(?::\d+)?(?:[/?#]\S*)?$",
    re.IGNORECASE,
)
_DECORATION = " \t\n*_~`'\"()[]<>"  # emphasis and brackets around a label do not change what it says


def is_web_target(target: str) -> bool:
    """True for an http(s) URL with a host, or a mailto: address, with no spaces or control characters."""
    if not target or any(ch.isspace() or ord(ch) < 32 or ch == "\x7f" for ch in target):
        return False
    parts = urlsplit(target)
    if parts.scheme.lower() == "mailto":
        return "@" in parts.path
    return parts.scheme.lower() in SCHEMES and bool(parts.hostname)


def label_address(label: str) -> str | None:
    """The host (or mail address) a label spells out, lower-cased; None when it reads as plain words."""
    text = label.strip(_DECORATION)
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    found = _HOSTLIKE.match(text)
    if found is None or not re.search(r"[a-z]", found.group("host").rsplit(".", 1)[-1], re.IGNORECASE):
        return None
    if "@" in text and "://" not in text:
        return text.lower()
    return _bare(found.group("host"))


def target_address(target: str) -> str:
    """The host of an http(s) target, or the address of a mailto: target, lower-cased."""
    parts = urlsplit(target)
    if parts.scheme.lower() == "mailto":
        return parts.path.lower()
    return _bare(parts.hostname or "")


def misleading(label: str, target: str) -> bool:
    """True when `label`, or any word of it, names an address other than the one `target` goes to."""
    goes_to = target_address(target)
    for word in [label, *re.split(r"[\s|]+", label)]:
        named = label_address(word)
        if named is not None and named != goes_to:
            return True
    return False


def slack_link(target: str, label: str | None = None) -> str:
    """mrkdwn for a link, given its target and label as plain (unescaped) text."""
    if not is_web_target(target):
        return slack_text(label if label else target)  # `!channel`, `@U…`, `javascript:` stay words
    url = slack_text(target).replace("|", "%7C")
    if not label or misleading(label, target) or label.strip() == target:
        return f"<{url}>"
    return f"<{url}|{slack_text(label)}>"


def slack_text(text: str) -> str:
    """Plain text made inert in mrkdwn: `&`, `<` and `>` escaped, so it cannot mention or link."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host

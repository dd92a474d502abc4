"""Secrets out of sight: the password in a URL (and `password=…`-style query values) masked for reprs and logs."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_QUERY_SECRET = re.compile(r"((?:password|passwd|secret|token|key)=)[^&]*", re.IGNORECASE)


def mask_url(value: str) -> str:
    """`value` with the password of a URL (and password=… query values) replaced by ***."""
    if "://" not in value:
        return value
    for password in url_passwords(value):
        value = value.replace(":" + password + "@", ":***@")
    return _QUERY_SECRET.sub(r"\1***", value)


def url_passwords(value: str) -> list[str]:
    """The passwords in a URL: its userinfo password and any password=… query value."""
    if "://" not in value:
        return []
    try:
        password = urlsplit(value).password
    except ValueError:
        password = None
    query = [m.group(0).split("=", 1)[1] for m in _QUERY_SECRET.finditer(value)]
    found = [p for p in [password, *query] if p]
    return found + [unquote(p) for p in found if unquote(p) != p]

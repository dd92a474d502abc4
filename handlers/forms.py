"""Reading a submitted modal: `view.state.values` flattened to one value per block, and checked."""

from __future__ import annotations

import json
from typing import Any

from bot.errors import UsageError
from bot.text.grammar import MAX_MESSAGE, MAX_TITLE
from bot.text.sanitize import clean


def values(view: dict[str, Any]) -> dict[str, Any]:
    """block_id → the entered text, the chosen option's value, or a list of chosen values."""
    found: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            found[block_id] = _value(element)
    return found


def _value(element: dict[str, Any]) -> Any:
    if "selected_options" in element:
        return [o["value"] for o in element.get("selected_options") or []]
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    text = element.get("value")
    return text.strip() if isinstance(text, str) and text.strip() else None


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON Herald put in private_metadata when it opened the modal."""
    raw = view.get("private_metadata") or "{}"
    return dict(json.loads(raw))


def checked(text: str | None, *, what: str, limit: int) -> str | None:
    """The field's text without control characters, refused (as the grammar would) when it has a NUL
    byte or is too long."""
    if text is None:
        return None
    if "\x00" in text:
        raise UsageError(f"the {what} contains a NUL byte")
    text = clean(text)
    if len(text) > limit:
        raise UsageError(f"the {what} is {len(text):,} characters; the limit is {limit:,}")
    return text


def message(found: dict[str, Any]) -> str | None:
    """The message field, checked."""
    return checked(found.get("message"), what="message", limit=MAX_MESSAGE)


def title(found: dict[str, Any]) -> str:
    """The title field, checked and required."""
    text = checked(found.get("title"), what="title", limit=MAX_TITLE)
    if not text:
        raise UsageError("the incident needs a title")
    return text

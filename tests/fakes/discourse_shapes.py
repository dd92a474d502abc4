"""Discourse's response shapes, from its OpenAPI spec: the fake fills every required key so its
answers validate against the spec while carrying the fake's real values."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

REFS = Path(__file__).parent / "refs"


@cache
def spec() -> dict[str, Any]:
    """Discourse's OpenAPI document."""
    return json.loads((REFS / "discourse" / "openapi.json").read_text(encoding="utf-8"))


def schema(path: str, method: str, status: str = "200") -> dict[str, Any]:
    """The JSON schema of one response in the spec."""
    content = spec()["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


def post_schema(kind: str) -> dict[str, Any]:
    """A post's schema as serialised by create, get, edit (inside `post`) or a topic's stream."""
    if kind == "stream":
        return schema("/t/{id}.json", "get")["properties"]["post_stream"]["properties"]["posts"]["items"]
    if kind == "edit":
        return schema("/posts/{id}.json", "put")["properties"]["post"]
    return schema("/posts.json", "post") if kind == "create" else schema("/posts/{id}.json", "get")


def category_schema() -> dict[str, Any]:
    """One category in /categories.json."""
    return schema("/categories.json", "get")["properties"]["category_list"]["properties"]["categories"]["items"]


def fill(shape: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`values` plus a type-correct default for every other key `shape` requires."""
    out: dict[str, Any] = {}
    for key in shape.get("required", []):
        out[key] = _default(shape["properties"].get(key, {}))
    for key, value in values.items():
        sub = shape.get("properties", {}).get(key, {})
        out[key] = fill(sub, value) if isinstance(value, dict) and sub.get("type") == "object" else value
    return out


def _default(shape: dict[str, Any]) -> Any:
    kinds = shape.get("type", "null")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "null" in kinds:
        return None
    defaults = {"integer": 0, "number": 0, "string": "", "boolean": False, "array": []}
    if kinds[0] == "object":
        return fill(shape, {})
    return defaults.get(kinds[0])

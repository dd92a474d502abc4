"""The /api/v2/ files match real Statuspage captures: same keys, JSON types, value sets and nesting."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.core import Core
from bot.delivery import claim, deliver
from bot.domain import service
from bot.domain.models import utcnow
from bot.store import db
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.fakes.incidents import herald
from tests.fakes.twitter import FakeTwitter
from tests.publishers.statuspage.conftest import NOW, sample
from tests.support import make_env

REFS = Path(__file__).parent / "refs"
# GitHub's captures declare no licence, so they are not copied in: only the facts the test needs
# (which keys each object kind carries, and their JSON types) were derived from them; see refs/README.md.
GITHUB_FACTS = REFS / "github-key-facts.json"
ENDPOINTS = ("summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
             "scheduled-maintenances.json", "scheduled-maintenances/upcoming.json",
             "scheduled-maintenances/active.json")
VALUES = {
    ("component", "status"): {"operational", "degraded_performance", "partial_outage", "major_outage",
                              "under_maintenance"},
    ("incident", "status"): {"investigating", "identified", "monitoring", "resolved"},
    ("maintenance", "status"): {"scheduled", "in_progress", "verifying", "completed"},
    ("incident", "impact"): {"none", "minor", "major", "critical"},
    ("maintenance", "impact"): {"maintenance"},
    ("status", "indicator"): {"none", "minor", "major", "critical", "maintenance"},
}
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")


def captures() -> list[Any]:
    """Every real capture copied into the repository (licensed ones, byte for byte)."""
    files = sorted(f for f in REFS.glob("*.json") if f != GITHUB_FACTS)
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def github_facts() -> dict[str, Any]:
    """Per object kind (`component/group` for groups): keys every GitHub object carries, and JSON types seen."""
    return dict(json.loads(GITHUB_FACTS.read_text(encoding="utf-8")))


def objects(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in a Statuspage document, with its kind."""
    for key in ("page", "status"):
        if key in doc:
            yield key, doc[key]
    for c in doc.get("components", []):
        yield "component", c
    incidents = doc.get("incidents", []) + doc.get("scheduled_maintenances", [])
    for i in incidents + ([doc["incident"]] if "incident" in doc else []):
        yield ("maintenance" if i["impact"] == "maintenance" else "incident"), i
        for c in i.get("components") or []:
            yield "component", c
        for u in i["incident_updates"]:
            yield "update", u
            for a in u.get("affected_components") or []:
                yield "affected", a


def kind_of(value: Any) -> str:
    """The JSON type of a value."""
    if value is None:
        return "null"
    return {bool: "bool", int: "number", float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def reference() -> dict[str, dict[str, set[str]]]:
    """For each object kind, each key the captures carry and the JSON types seen for it."""
    seen: dict[str, dict[str, set[str]]] = {}
    for doc in captures():
        for kind, obj in objects(doc):
            for key, value in obj.items():
                seen.setdefault(kind, {}).setdefault(key, set()).add(kind_of(value))
    for variant, facts in github_facts().items():
        for key, types in facts["types"].items():
            seen.setdefault(variant.split("/")[0], {}).setdefault(key, set()).update(types)
    return seen


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Every API file of a grouped page with open, monitoring, resolved, upcoming and running work."""
    toml = tmp_path / "components.toml"
    toml.write_text('[[component]]\nname = "app"\ngroup = "Web"\n[[component]]\nname = "www"\ngroup = "Web"\n'
                    '[[component]]\nname = "admin"\ndescription = "The back office"\n', encoding="utf-8")
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_COMPONENTS=str(toml))))
    numbers = sample(core)
    with db.transaction(core.sessions) as s:
        service.post_update(s, incident_id=numbers["live"], status="monitoring", body="Watching.", now=NOW)
        w = service.schedule_maintenance(s, title="Now", starts=NOW - timedelta(hours=1), ends=NOW + timedelta(hours=1),
                                         changes=[("www", None)], now=NOW - timedelta(days=1))
        service.start_maintenance(s, incident_id=w.incident_id, now=NOW - timedelta(hours=1))
    StatuspagePublisher(core.context).build(NOW)
    root = Path(core.config.site_dir) / "api" / "v2"
    names = [*ENDPOINTS, *(f"incidents/{n}.json" for n in (*numbers.values(), w.incident_id))]
    yield {name: json.loads((root / name).read_text(encoding="utf-8")) for name in names}
    core.engine.dispose()


def test_every_object_has_the_captured_keys_and_types(api: dict[str, Any]) -> None:
    """Each object carries every key the real captures carry, no invented key, and the captured JSON types."""
    ref, problems, kinds = reference(), [], set()
    for name, doc in api.items():
        for kind, obj in objects(doc):
            kinds.add(kind)
            union = ref[kind]
            problems += [f"{name} {kind}: invented key {k}" for k in obj if k not in union]
            problems += [f"{name} {kind}.{k}: {kind_of(v)} not in {sorted(union[k])}"
                         for k, v in obj.items() if k in union and kind_of(v) not in union[k]]
    for doc in captures():
        for kind, theirs in objects(doc):
            ours = [o for d in api.values() for k, o in objects(d) if k == kind and
                    o.get("group", False) == theirs.get("group", False)]
            problems += [f"{kind}: missing key {k}" for k in theirs if any(k not in o for o in ours)]
    for variant, facts in github_facts().items():
        kind, group = variant.split("/")[0], variant.endswith("/group")
        ours = [o for d in api.values() for k, o in objects(d) if k == kind and o.get("group", False) == group]
        problems += [f"{variant}: missing key {k} (GitHub)" for k in facts["required"] if any(k not in o for o in ours)]
    assert kinds == {"page", "status", "component", "incident", "maintenance", "update", "affected"}
    assert sorted(set(problems)) == []


def test_documents_nest_as_statuspage_does(api: dict[str, Any]) -> None:
    """Top-level keys per endpoint, updates newest first, groups listing member ids, maintenance fields."""
    assert list(api["summary.json"]) == ["page", "components", "incidents", "scheduled_maintenances", "status"]
    assert list(api["status.json"]) == ["page", "status"] and list(api["components.json"]) == ["page", "components"]
    for name in ("incidents.json", "incidents/unresolved.json"):
        assert list(api[name]) == ["page", "incidents"]
    assert [u["status"] for u in api["incidents/unresolved.json"]["incidents"][0]["incident_updates"]] == \
        ["monitoring", "identified", "investigating"]
    group = next(c for c in api["components.json"]["components"] if c["group"])
    members = [c for c in api["components.json"]["components"] if c["group_id"] == group["id"]]
    assert group["name"] == "Web" and group["components"] == [c["id"] for c in members] and len(members) == 2
    assert [m["status"] for m in api["scheduled-maintenances/active.json"]["scheduled_maintenances"]] == ["in_progress"]
    assert [m["status"] for m in api["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]] == ["scheduled"]
    live = api["incidents/unresolved.json"]["incidents"][0]
    assert live["monitoring_at"] and live["shortlink"] == f"https://status.example.test/incidents/{live['id']}/"


def test_values_come_from_statuspage_sets(api: dict[str, Any]) -> None:
    """Statuses, impacts and indicators use only Statuspage's values."""
    for doc in api.values():
        for kind, obj in objects(doc):
            for (k, key), allowed in VALUES.items():
                if k == kind:
                    assert obj[key] in allowed, (kind, key, obj[key])
    assert api["status.json"]["status"] == {"indicator": "critical", "description": "Major outage"}  # app is down


def test_timestamps_carry_the_page_zone_offset(api: dict[str, Any]) -> None:
    """Every timestamp is RFC 3339 with the display zone's offset (-07:00 in a Los Angeles September)."""
    assert api["summary.json"]["page"]["time_zone"] == "America/Los_Angeles"
    stamps = re.findall(r'"\w+_(?:at|for|until)": ?"([^"]+)"', json.dumps(api))
    assert stamps and all(STAMP.fullmatch(s) for s in stamps)
    assert {s[-6:] for s in stamps if s.startswith("2010-09")} == {"-07:00"}


def capture_incidents() -> list[dict[str, Any]]:
    """The real single-incident captures, `{page, incident}`."""
    return [json.loads(f.read_text(encoding="utf-8")) for f in sorted(REFS.glob("incident-*.json"))]


def test_one_incident_documents_match_the_captures(api: dict[str, Any]) -> None:
    """`/api/v2/incidents/<id>.json` is `{page, incident}` with the captures' page keys and incident keys,
    and the incident is the same object incidents.json lists (maintenance windows too)."""
    docs = {name: doc for name, doc in api.items() if re.fullmatch(r"incidents/\d+\.json", name)}
    assert len(docs) == 5
    theirs = capture_incidents()
    common = set.intersection(*(set(c["incident"]) for c in theirs))
    listed = {i["id"]: i for name in ("incidents.json", "scheduled-maintenances.json")
              for i in api[name].get("incidents", []) + api[name].get("scheduled_maintenances", [])}
    for name, doc in docs.items():
        assert list(doc) == ["page", "incident"] and list(doc["page"]) == list(theirs[0]["page"]), name
        assert common <= set(doc["incident"]), (name, common - set(doc["incident"]))
        assert doc["incident"] == listed[doc["incident"]["id"]] and name == f"incidents/{doc['incident']['id']}.json"


def test_top_level_positions_are_unique_as_statuspage_numbers_them(database_url: str, tmp_path: Path) -> None:
    """Groups and ungrouped components share one top-level sequence; members count within their group
    (the real Twilio capture numbers them this way)."""
    toml = tmp_path / "components.toml"
    toml.write_text('[[component]]\nname = "admin"\n[[component]]\nname = "app"\ngroup = "Web"\n'
                    '[[component]]\nname = "www"\ngroup = "Web"\n[[component]]\nname = "wiki"\ngroup = "Docs"\n'
                    '[[component]]\nname = "forum"\n', encoding="utf-8")
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_COMPONENTS=str(toml))))
    StatuspagePublisher(core.context).build(NOW)
    doc = json.loads((Path(core.config.site_dir) / "api/v2/components.json").read_text(encoding="utf-8"))
    core.engine.dispose()
    top = {c["name"]: c["position"] for c in doc["components"] if c["group_id"] is None}
    assert top == {"admin": 1, "Web": 2, "Docs": 3, "forum": 4}
    inner = {c["name"]: c["position"] for c in doc["components"] if c["group_id"]}
    assert inner == {"app": 1, "www": 2, "wiki": 1}
    (twilio,) = [d for d in captures() if "components" in d and len(d["components"]) > 50]
    twilio_top = [c["position"] for c in twilio["components"] if c["group_id"] is None]
    assert sorted(twilio_top) == list(range(1, len(twilio_top) + 1))  # the rule we follow, seen in the capture


def run_lane(core: Core, publisher: str) -> list[str]:
    """Deliver every due delivery of one channel exactly as the worker does (claim, load, publish, record,
    hooks); the outcomes."""
    outcomes: list[str] = []
    while True:  # one delivery per incident and channel at a time (head of line), as the worker sees them
        with db.transaction(core.sessions) as s:
            ids = claim.claim(s, publisher=publisher, worker="test", now=utcnow(), lease=60, limit=50)
        if not ids:
            return outcomes
        for delivery_id in ids:
            work = deliver.load(core, delivery_id=delivery_id, worker="test")
            assert work is not None
            outcomes.append(deliver.record(core, work, deliver.attempt(core, work), worker="test", now=utcnow()))
            core.after_delivery(work.incident_id)


def test_tweet_id_is_the_tweet_that_announced_each_update(database_url: str, tmp_path: Path) -> None:
    """Once the tweet is sent (after the page was written), the incident's JSON, summary and lists carry its
    id as a number, as Statuspage's captures do; an update never tweeted keeps null."""
    with FakeTwitter() as x, herald(database_url, tmp_path, HERALD_PUBLISHERS="statuspage,twitter", **x.env()) as core:
        with db.transaction(core.sessions) as s:
            number = service.declare(s, title="Checkout errors", body="Looking.", changes=[("app", "major_outage")],
                                     now=NOW, publishers=["statuspage", "twitter"]).incident_id
            service.post_update(s, incident_id=number, status="identified", body="Found it.", now=NOW,
                                publishers=["statuspage"])
        assert run_lane(core, "statuspage") == ["sent", "sent"]
        root = Path(core.config.site_dir) / "api/v2"
        doc = json.loads((root / f"incidents/{number}.json").read_text(encoding="utf-8"))
        assert [u["tweet_id"] for u in doc["incident"]["incident_updates"]] == [None, None]
        assert run_lane(core, "twitter") == ["sent"]
        with db.transaction(core.sessions) as s:  # a later tweet, when the page already links the thread
            service.post_update(s, incident_id=number, status="monitoring", body="Watching.", now=NOW,
                                publishers=["statuspage", "twitter"])
        assert run_lane(core, "statuspage") == ["sent"] and run_lane(core, "twitter") == ["sent"]
        first, third = sorted(x.tweets, key=int)
        for name in (f"incidents/{number}.json", "summary.json", "incidents.json", "incidents/unresolved.json"):
            doc = json.loads((root / name).read_text(encoding="utf-8"))
            incident = doc.get("incident") or doc["incidents"][0]
            assert [u["tweet_id"] for u in incident["incident_updates"]] == [int(third), None, int(first)], name

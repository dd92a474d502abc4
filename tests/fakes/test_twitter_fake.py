"""The fake X API itself: OAuth checks, X's real bodies and headers, fault injection, counters."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from requests_oauthlib import OAuth1

from publishers.twitter.client import TWEEPY_HOST, BaseURLAdapter
from tests.fakes.twitter import DUPLICATE, KEYS, FakeTwitter

REFS = Path(__file__).parent / "refs" / "twitter"


@pytest.fixture
def api() -> Iterator[FakeTwitter]:
    """A fake X API on 127.0.0.1."""
    with FakeTwitter() as fake:
        yield fake


def session(api: FakeTwitter, secret: str = KEYS["access_token_secret"]) -> requests.Session:
    """A requests session that signs for api.twitter.com and is redirected to the fake."""
    s = requests.Session()
    s.auth = OAuth1(KEYS["consumer_key"], KEYS["consumer_secret"], KEYS["access_token"], secret)
    s.mount(TWEEPY_HOST + "/", BaseURLAdapter(api.url, 2.0))
    return s


def tweet(s: requests.Session, text: str, parent: str | None = None) -> requests.Response:
    """POST /2/tweets as tweepy would."""
    body: dict[str, Any] = {"text": text}
    if parent:
        body["reply"] = {"in_reply_to_tweet_id": parent}
    return s.post(TWEEPY_HOST + "/2/tweets", json=body)


def response_schema(spec: dict[str, Any], path: str, method: str, status: str) -> Draft202012Validator:
    """A validator for one response of the X API spec."""
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, **spec})


def test_requests_without_a_valid_oauth_signature_get_401(api: FakeTwitter) -> None:
    """No Authorization header, or a signature made with the wrong secret, is refused."""
    assert requests.post(api.url + "/2/tweets", json={"text": "hello"}, timeout=2).status_code == 401
    assert tweet(session(api, secret="wrong"), "hello").status_code == 401
    assert tweet(session(api), "hello").status_code == 201 and len(api.tweets) == 1


def test_duplicate_text_gets_xs_exact_403(api: FakeTwitter) -> None:
    """The same text twice is refused with the body quoted in refs/twitter/error-samples.json."""
    quoted = json.loads((REFS / "error-samples.json").read_text(encoding="utf-8"))["samples"][0]["body"]
    s = session(api)
    assert tweet(s, "Same words").status_code == 201
    again = tweet(s, "Same words")
    assert again.status_code == 403 and again.json() == quoted == DUPLICATE


def test_replies_chain_and_unknown_parents_are_refused(api: FakeTwitter) -> None:
    """A reply links to its parent; a reply to a tweet that does not exist is a 400 problem."""
    s = session(api)
    root = tweet(s, "Root").json()["data"]["id"]
    child = tweet(s, "Child", root).json()["data"]["id"]
    assert [t.id for t in api.chain(child)] == [root, child] and api.posts_per_thread() == {root: 2}
    bad = tweet(s, "Orphan", "42")
    assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-request")


def test_me_and_timeline_match_the_spec(api: FakeTwitter) -> None:
    """GET /2/users/me and /2/users/:id/tweets answer in the shapes the X spec gives, newest first."""
    spec = json.loads((REFS / "openapi.json").read_text(encoding="utf-8"))
    s = session(api)
    for text in ("one", "two", "three"):
        tweet(s, text)
    me = s.get(TWEEPY_HOST + "/2/users/me").json()
    response_schema(spec, "/2/users/me", "get", "200").validate(me)
    timeline = s.get(TWEEPY_HOST + f"/2/users/{me['data']['id']}/tweets", params={"max_results": 2}).json()
    response_schema(spec, "/2/users/{id}/tweets", "get", "200").validate(timeline)
    assert [t["text"] for t in timeline["data"]] == ["three", "two"] and timeline["meta"]["result_count"] == 2


def test_rate_limit_answer_carries_the_reset_headers(api: FakeTwitter) -> None:
    """A scripted 429 has x-rate-limit-remaining 0 and a reset epoch wait_seconds ahead; nothing is posted."""
    api.script("429")
    answer = tweet(session(api), "Limited")
    reset = int(answer.headers["x-rate-limit-reset"])
    assert answer.status_code == 429 and answer.headers["x-rate-limit-remaining"] == "0"
    assert 0 < reset - time.time() <= api.wait_seconds + 1 and api.tweets == {}


def test_lost_does_the_work_but_drops_the_answer(api: FakeTwitter) -> None:
    """`lost` posts the tweet and closes the connection; `drop` closes it without posting."""
    api.script("lost", "drop")
    with pytest.raises(requests.ConnectionError):
        tweet(session(api), "Lost answer")
    with pytest.raises(requests.ConnectionError):
        tweet(session(api), "Dropped")
    assert [t.text for t in api.tweets.values()] == ["Lost answer"] and api.faults.injected == ["lost", "drop"]


def test_seeded_failure_rate_is_reproducible() -> None:
    """Two fakes with the same seed fail the same requests the same way, at about the asked rate."""
    runs = []
    for _ in range(2):
        with FakeTwitter(rate=0.3, seed=11, kinds=("5xx", "429")) as fake:
            codes = [tweet(session(fake), f"t{i}").status_code for i in range(40)]
            runs.append(codes)
    assert runs[0] == runs[1] and 5 <= sum(c != 201 for c in runs[0]) <= 20


def test_concurrent_posts_are_all_counted(api: FakeTwitter) -> None:
    """Parallel clients never lose or merge tweets: every thread's count is exact."""
    s = session(api)
    roots = [tweet(s, f"root {i}").json()["data"]["id"] for i in range(4)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: tweet(session(api), f"reply {n}", roots[n % 4]), range(40)))
    assert api.posts_per_thread() == {root: 11 for root in roots}

"""A fake X (Twitter) API v2: create posts with reply chains, the real duplicate-content 403, the
user's recent posts, OAuth 1.0a signatures checked as if the request had gone to api.twitter.com.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from oauthlib.common import Request
from oauthlib.oauth1.rfc5849 import signature

from tests.fakes import FakeServer, Recorded, Reply

# Quoted verbatim in refs/twitter/error-samples.json (a real v2 403 for duplicate text).
DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.",
             "type": "about:blank", "title": "Forbidden", "status": 403}
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
KEYS = {"consumer_key": "ck-test", "consumer_secret": "cs-test",
        "access_token": "at-test", "access_token_secret": "ats-test"}
SIGNED_HOST = "https://api.twitter.com"  # tweepy signs for this host before our adapter redirects it
USER = {"id": "2244994945", "name": "Herald Status", "username": "heraldstatus"}


@dataclass
class Tweet:
    id: str
    text: str
    author_id: str
    in_reply_to: str | None


class FakeTwitter(FakeServer):
    """X API v2 on 127.0.0.1: POST /2/tweets, GET /2/users/me, GET /2/users/:id/tweets."""

    def __init__(self, *, reset_header: bool = True, **faults: Any) -> None:
        super().__init__(**faults)
        self.reset_header = reset_header  # False: a 429 says Retry-After instead of x-rate-limit-reset
        self.tweets: dict[str, Tweet] = {}
        self.ids = itertools.count(1456012973835788293)

    def env(self) -> dict[str, str]:
        """Settings that point Herald's Twitter publisher here."""
        return {"TWITTER_API_URL": self.url, "TWITTER_API_KEY": KEYS["consumer_key"],
                "TWITTER_API_SECRET": KEYS["consumer_secret"], "TWITTER_ACCESS_TOKEN": KEYS["access_token"],
                "TWITTER_ACCESS_TOKEN_SECRET": KEYS["access_token_secret"]}

    def route(self, request: Recorded) -> Reply:
        """Check the OAuth signature, then dispatch."""
        if not _signed(request):
            return Reply(401, UNAUTHORIZED)
        if request.method == "POST" and request.path == "/2/tweets":
            return self.create(request.body)
        if request.method == "GET" and request.path == "/2/users/me":
            return Reply(200, {"data": USER})
        match = re.fullmatch(r"/2/users/(\d+)/tweets", request.path)
        if request.method == "GET" and match:
            return self.timeline(match.group(1), request.query)
        return Reply(404, {"title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found",
                           "detail": f"no route {request.method} {request.path}"})

    def create(self, body: dict[str, Any]) -> Reply:
        """Post a tweet, refusing identical text and replies to unknown tweets as X does."""
        text, parent = body["text"], (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if any(t.text == text for t in self.tweets.values()):
            return Reply(403, DUPLICATE)
        if parent is not None and parent not in self.tweets:
            return Reply(400, _invalid("reply.in_reply_to_tweet_id", parent))
        tweet = Tweet(str(next(self.ids)), text, USER["id"], parent)
        self.tweets[tweet.id] = tweet
        return Reply(201, {"data": {"id": tweet.id, "text": text, "edit_history_tweet_ids": [tweet.id]}})

    def timeline(self, user_id: str, query: dict[str, list[str]]) -> Reply:
        """The user's posts, newest first, at most max_results."""
        limit = int(query.get("max_results", ["10"])[0])
        mine = [t for t in reversed(self.tweets.values()) if t.author_id == user_id][:limit]
        data = [{"id": t.id, "text": t.text, "edit_history_tweet_ids": [t.id]} for t in mine]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        return Reply(200, {"data": data, "meta": meta} if data else {"meta": meta})

    def rate_limited(self) -> Reply:
        """429 with the x-rate-limit-* headers X sends (or only Retry-After, as a proxy might)."""
        reset = int(time.time()) + self.wait_seconds
        headers = {"x-rate-limit-limit": "200", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
        return Reply(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                           "status": 429},
                     headers if self.reset_header else {"Retry-After": str(self.wait_seconds)})

    def server_error(self) -> Reply:
        """503 as X's edge answers when over capacity."""
        return Reply(503, {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank",
                           "status": 503})

    def chain(self, last_id: str) -> list[Tweet]:
        """The thread ending at `last_id`, root first."""
        with self.lock:
            out = [self.tweets[last_id]]
            while out[-1].in_reply_to:
                out.append(self.tweets[out[-1].in_reply_to])
            return out[::-1]

    def posts_per_thread(self) -> dict[str, int]:
        """How many tweets each thread (by root id) received."""
        counts: dict[str, int] = {}
        with self.lock:
            for tweet in list(self.tweets.values()):
                root = self.chain(tweet.id)[0].id
                counts[root] = counts.get(root, 0) + 1
        return counts


def _invalid(parameter: str, value: str) -> dict[str, Any]:
    """X's problem body for an invalid request parameter."""
    return {"errors": [{"parameters": {parameter: [value]},
                        "message": "You attempted to reply to a Tweet that is deleted or not visible to you."}],
            "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request"}


def _signed(request: Recorded) -> bool:
    """True when the Authorization header is a valid HMAC-SHA1 OAuth 1.0a signature with our keys."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("OAuth "):
        return False
    query = urlencode(request.query, doseq=True)
    uri = SIGNED_HOST + request.path + (f"?{query}" if query else "")
    params = signature.collect_parameters(uri_query=query, headers={"Authorization": header},
                                          exclude_oauth_signature=True)
    oauth = dict(signature.collect_parameters(headers={"Authorization": header}, exclude_oauth_signature=False))
    if oauth.get("oauth_consumer_key") != KEYS["consumer_key"] or oauth.get("oauth_token") != KEYS["access_token"]:
        return False
    check = Request(uri, http_method=request.method)
    check.params, check.signature = params, oauth.get("oauth_signature", "")
    return signature.verify_hmac_sha1(check, KEYS["consumer_secret"], KEYS["access_token_secret"])

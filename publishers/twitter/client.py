"""A tweepy Client pointed at TWITTER_API_URL, and X's errors sorted into retryable or not.

tweepy builds every URL on the hard-coded host https://api.twitter.com and sends it through its
public `client.session` (a requests.Session). A transport adapter mounted on that host rewrites the
scheme and host to the configured base and adds a timeout (tweepy sets none). OAuth 1.0a signs the
request before the adapter sees it, so the signature is over the api.twitter.com URL, as X expects.
"""

from __future__ import annotations

import time
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from bot.plugins.contract import Config, PublishError

TWEEPY_HOST = "https://api.twitter.com"
DUPLICATE_DETAIL = "duplicate content"


class BaseURLAdapter(HTTPAdapter):
    """Sends requests meant for api.twitter.com to `base` instead, with a default timeout."""

    def __init__(self, base: str, timeout: float) -> None:
        super().__init__()
        self.base, self.timeout = base.rstrip("/"), timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Rewrite the URL's scheme and host, then send as usual."""
        url = request.url or ""
        if url.startswith(TWEEPY_HOST):
            request.url = self.base + url[len(TWEEPY_HOST):]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def make_client(config: Config, *, timeout: float) -> tweepy.Client:
    """A tweepy Client with OAuth 1.0a user context, talking to config.twitter_api_url."""
    def secret(value: Any) -> str | None:
        return value.get_secret_value() if value is not None else None

    client = tweepy.Client(consumer_key=secret(config.twitter_api_key),
                           consumer_secret=secret(config.twitter_api_secret),
                           access_token=secret(config.twitter_access_token),
                           access_token_secret=secret(config.twitter_access_token_secret))
    client.session.mount(TWEEPY_HOST + "/", BaseURLAdapter(config.twitter_api_url, timeout))
    return client


def is_duplicate(exc: tweepy.HTTPException) -> bool:
    """True for X's 403 "You are not allowed to create a Tweet with duplicate content."."""
    if not isinstance(exc, tweepy.Forbidden):
        return False
    try:
        body = exc.response.json()
    except ValueError:
        return False
    return DUPLICATE_DETAIL in str(body.get("detail", "")).lower() if isinstance(body, dict) else False


def classify(exc: Exception) -> PublishError:
    """A PublishError saying whether trying `exc`'s request again later could succeed."""
    if isinstance(exc, tweepy.TooManyRequests):
        return PublishError("Twitter rate limit (429)", retryable=True, retry_after=_wait(exc))
    if isinstance(exc, tweepy.TwitterServerError):
        return PublishError(f"Twitter server error ({exc.response.status_code})", retryable=True)
    if isinstance(exc, tweepy.Unauthorized):
        return PublishError("Twitter refused the credentials (401): check TWITTER_API_KEY, TWITTER_API_SECRET, "
                            "TWITTER_ACCESS_TOKEN and TWITTER_ACCESS_TOKEN_SECRET", retryable=False)
    if isinstance(exc, tweepy.HTTPException):
        return PublishError(f"Twitter refused the post ({exc.response.status_code}): {_detail(exc)}",
                            retryable=False)
    if isinstance(exc, requests.ConnectTimeout):  # never connected: nothing can have landed
        return PublishError("cannot reach Twitter: ConnectTimeout", retryable=True)
    if isinstance(exc, requests.Timeout):
        return PublishError("Twitter did not answer in time", retryable=True, unknown=True)
    if isinstance(exc, requests.RequestException):
        return PublishError(f"cannot reach Twitter: {type(exc).__name__}", retryable=True, unknown=True)
    raise exc


def _wait(exc: tweepy.TooManyRequests) -> float | None:
    """Seconds until X's rate-limit window resets (x-rate-limit-reset, else Retry-After)."""
    headers = exc.response.headers
    reset = headers.get("x-rate-limit-reset")
    if reset and reset.isdigit():
        return max(0.0, int(reset) - time.time())
    after = headers.get("Retry-After")
    return float(after) if after and after.isdigit() else None


def _detail(exc: tweepy.HTTPException) -> str:
    """X's own words for a refusal: the problem's detail, or its error messages."""
    try:
        body = exc.response.json()
    except ValueError:
        return exc.response.text[:300]
    if isinstance(body, dict) and body.get("detail"):
        messages = [e.get("message") for e in body.get("errors", []) if isinstance(e, dict) and e.get("message")]
        return "; ".join([str(body["detail"]), *map(str, messages)])
    return "; ".join(exc.api_messages) or str(body)[:300]

"""A small Discourse API client over httpx: Api-Key/Api-Username auth and errors sorted for retrying.

429 carries Discourse's `extras.wait_seconds` (or Retry-After) as retry_after; 5xx, timeouts and
connection failures are retryable (timeouts and connections lost mid-request as `unknown`: the post
may have landed); 422 and the other 4xx are not, and Discourse's own error sentences are kept
verbatim for the person reading the receipt.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.plugins.contract import PublishError


class DiscourseError(PublishError):
    """Discourse refused a request; `errors` are its own sentences."""

    def __init__(self, message: str, *, status: int, errors: list[str], retryable: bool,
                 retry_after: float | None = None) -> None:
        super().__init__(message, retryable=retryable, retry_after=retry_after)
        self.status, self.errors = status, errors


class DiscourseClient:
    """Calls to one forum as one user."""

    def __init__(self, base_url: str, api_key: str, username: str, *, timeout: float) -> None:
        self.base_url, self.username = base_url.rstrip("/"), username
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, follow_redirects=True,
                                 headers={"Api-Key": api_key, "Api-Username": username})

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON answer to one request, or a DiscourseError/PublishError."""
        try:
            response = self.http.request(method, path, json=body, params=params)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never connected: nothing can have landed
            raise PublishError(f"cannot reach the forum: {type(exc).__name__}", retryable=True) from None
        except httpx.TimeoutException:
            raise PublishError("the forum did not answer in time", retryable=True, unknown=True) from None
        except httpx.TransportError as exc:
            raise PublishError(f"cannot reach the forum: {type(exc).__name__}", retryable=True,
                               unknown=True) from None
        if response.is_success:
            return dict(response.json())
        raise refusal(response)

    def find(self, path: str) -> dict[str, Any] | None:
        """GET `path`, or None when Discourse says it does not exist."""
        try:
            return self.call("GET", path)
        except DiscourseError as exc:
            if exc.status == 404:
                return None
            raise

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


def refusal(response: httpx.Response) -> DiscourseError:
    """The error for a non-2xx answer, classified and with Discourse's words."""
    status, body = response.status_code, _json(response)
    errors = [str(e) for e in body.get("errors", [])] if isinstance(body.get("errors"), list) else []
    said = "; ".join(errors) or response.reason_phrase
    if status == 429:
        return DiscourseError(f"forum rate limit (429): {said}", status=status, errors=errors, retryable=True,
                              retry_after=_wait(response, body))
    if status >= 500:
        return DiscourseError(f"forum server error ({status})", status=status, errors=errors, retryable=True)
    if status in (401, 403):
        said += " (check DISCOURSE_API_KEY and DISCOURSE_API_USERNAME)"
    return DiscourseError(f"the forum refused it ({status}): {said}", status=status, errors=errors,
                          retryable=False)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _wait(response: httpx.Response, body: dict[str, Any]) -> float | None:
    """Seconds Discourse asked us to wait: extras.wait_seconds, else the Retry-After header."""
    extras = body.get("extras") if isinstance(body.get("extras"), dict) else {}
    for value in ((extras or {}).get("wait_seconds"), response.headers.get("Retry-After")):
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return None

"""Requests without a valid, fresh Slack signature get 401 and change nothing."""

from __future__ import annotations

import json
import time

from slack_sdk.signature import SignatureVerifier

from tests.handlers.signed import REFS, sign
from tests.handlers.test_allow import counts
from tests.serving import Served


def test_slack_published_vector_verifies() -> None:
    """Slack's documented signing example verifies at its own clock, and fails if one body byte changes."""
    vector = json.loads((REFS / "request-signing-vector.json").read_text())
    headers = {k.lower(): v for k, v in vector["headers"].items()}
    clock = type("Clock", (), {"now": staticmethod(lambda: 1531420618.0)})()
    verifier = SignatureVerifier(vector["signing_secret"], clock=clock)
    assert verifier.is_valid_request(vector["raw_body"], headers)
    assert sign(vector["raw_body"], 1531420618, vector["signing_secret"]) == vector["expected_signature"]
    tampered = vector["raw_body"].replace("text=", "text=x")
    assert not verifier.is_valid_request(tampered, headers)


def test_bad_signatures_are_401_and_write_nothing(served: Served) -> None:
    """Missing, wrong and five-minutes-old signatures are refused before any listener runs."""
    before = counts(served)
    body = served.slack.command_body("open Forged -m x", user="U_ALLOWED", channel="C_OPS")
    old = int(time.time()) - 301
    attempts = {
        "missing": served.slack.post(body, signature=""),
        "wrong": served.slack.post(body, signature="v0=" + "0" * 64),
        "other secret": served.slack.post(body, signature=sign(body, int(time.time()), "not-the-secret")),
        "too old": served.slack.post(body, timestamp=old, signature=sign(body, old)),
        "body changed": served.slack.post(body.replace("Forged", "Forgex"), signature=sign(body, int(time.time()))),
    }
    for name, response in attempts.items():
        assert response.status_code == 401, name
    time.sleep(0.2)  # give any (wrongly) queued background work the chance to show up
    assert counts(served) == before
    assert not [c for c in served.fake.calls if "Forge" in str(c.params)]
    assert served.slack.post(body).status_code == 200  # the same body, properly signed, is accepted


def test_url_verification_is_answered(served: Served) -> None:
    """Slack's Events API URL check gets its challenge back."""
    envelope = {"token": "verification-token", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                "type": "url_verification"}
    reply = served.slack.post(json.dumps(envelope), content_type="application/json")
    assert reply.status_code == 200 and reply.json()["challenge"] == envelope["challenge"]

"""A receiver on 127.0.0.1, and a core that may post to it (`poster`, from tests/bot/subscribers/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot.subscribers.conftest import poster  # noqa: F401 (a fixture shared with the lanes' tests)
from tests.fakes.webhooks import WebhookReceiver


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(slow_seconds=1.5) as receiver:
        yield receiver

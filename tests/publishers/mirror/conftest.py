"""Fixtures for the site mirrors: one moto S3 server per module, a fault proxy and a fresh bucket per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.core import Core
from herald.app import create_core
from publishers.mirror import MirrorPublisher
from publishers.statuspage import StatuspagePublisher
from tests.fakes import s3
from tests.support import make_env


@dataclass
class Bucket:
    """A bucket on the module's S3 server, reached by Herald through `proxy`."""

    name: str
    s3_url: str
    proxy: s3.FaultProxy

    def env(self, prefix: str = "status") -> dict[str, str]:
        """The settings that mirror the site to this bucket under `prefix`."""
        return {**s3.CREDENTIALS, "AWS_ENDPOINT_URL": self.proxy.url,
                "HERALD_SITE_MIRRORS": f"s3://{self.name}/{prefix}".rstrip("/")}

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, by key."""
        return s3.objects(self.s3_url, self.name)


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 for the module."""
    with s3.moto_server() as url:
        yield url


@pytest.fixture
def bucket(s3_url: str) -> Iterator[Bucket]:
    """A fresh bucket, reached through a fault proxy."""
    proxy = s3.FaultProxy(s3_url)
    yield Bucket(s3.new_bucket(s3_url), s3_url, proxy)
    proxy.close()


def mirrored_config(database_url: str, tmp_path: Path, bucket: Bucket, **extra: str) -> Config:
    """A test Herald with the status page and an S3 mirror of it."""
    return load_config(make_env(database_url, tmp_path, HERALD_PUBLISHERS="statuspage,mirror",
                                HERALD_PUBLISH_TIMEOUT="1", **{**bucket.env(), **extra}))


@pytest.fixture
def mirrored(database_url: str, tmp_path: Path, bucket: Bucket) -> Iterator[Core]:
    """A core whose registry has the status page and one S3 mirror."""
    core = create_core(mirrored_config(database_url, tmp_path, bucket))
    yield core
    core.engine.dispose()


def parts(core: Core) -> tuple[StatuspagePublisher, MirrorPublisher]:
    """The status page and the (one) mirror of `core`."""
    page = core.registry.get("statuspage")
    mirror = next(p for p in core.registry.publishers.values() if isinstance(p, MirrorPublisher))
    assert isinstance(page, StatuspagePublisher)
    return page, mirror

"""The S3 mirror against a real S3-protocol server through boto3: objects with their types and cache headers,
safe order, deletes, 503 and slow answers, and `herald site sync`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Core
from bot.plugins.contract import PublishError
from tests.fakes import s3
from tests.publishers.mirror.conftest import Bucket, parts
from tests.publishers.statuspage.conftest import NOW, sample


def build(core: Core) -> dict[str, int]:
    """The sample history, built into the site store."""
    numbers = sample(core)
    page, _ = parts(core)
    page.build(NOW)
    return numbers


def test_every_file_is_copied_with_its_type_and_cache_policy(mirrored: Core, bucket: Bucket) -> None:
    """After a sync the bucket holds every site file under the prefix, byte for byte; hashed assets are
    immutable for a year, pages, JSON and feeds have a one-minute max-age, each with its content type."""
    build(mirrored)
    _, mirror = parts(mirrored)
    done = mirror.sync()
    store = mirrored.context.site
    assert store is not None
    site = {path: store.read(path) for path in store.list()}
    assert bucket.objects() == {f"status/{p}": f.data for p, f in site.items() if f}
    assert done.uploaded == len(site) and done.deleted == 0
    head = s3.client(bucket.s3_url).head_object
    css = next(p for p in site if p.startswith("assets/site."))
    expected = {css: ("text/css; charset=utf-8", "public, max-age=31536000, immutable"),
                "index.html": ("text/html; charset=utf-8", "public, max-age=60"),
                "api/v2/summary.json": ("application/json; charset=utf-8", "public, max-age=60"),
                "history.atom": ("application/atom+xml; charset=utf-8", "public, max-age=60"),
                "history.rss": ("application/rss+xml; charset=utf-8", "public, max-age=60")}
    for path, (kind, cache) in expected.items():
        found = head(Bucket=bucket.name, Key=f"status/{path}")
        assert (found["ContentType"], found["CacheControl"]) == (kind, cache), path


def test_assets_come_first_the_front_page_last_and_deletions_after_everything(mirrored: Core, bucket: Bucket) -> None:
    """Uploads go assets first, each page before the pages linking to it (front page last); a file the store no
    longer has is deleted from the bucket after every upload; an unchanged site copies nothing."""
    build(mirrored)
    page, mirror = parts(mirrored)
    mirror.sync()
    puts = bucket.proxy.keys("PUT")
    assert all(k.startswith("status/assets/") for k in puts[:3]) and puts[-1] == "status/index.html"
    assert puts.index("status/incidents/1/index.html") < puts.index("status/history/index.html") < puts.index(
        "status/index.html")
    assert mirror.sync().uploaded == 0
    store = mirrored.context.site
    old_month = sorted(p for p in store.list("history/") if p != "history/index.html")[0] if store else ""
    assert store is not None and store.delete(old_month)
    page.refresh(1, NOW)  # the history index no longer lists that month: an upload and a deletion in one sync
    bucket.proxy.seen.clear()
    done = mirror.sync()
    assert done.deleted == 1 and f"status/{old_month}" not in bucket.objects()
    methods = [m for m, _ in bucket.proxy.seen if m in ("PUT", "DELETE")]
    assert methods[-1] == "DELETE" and "DELETE" not in methods[:-1]


def test_a_503_is_a_retryable_failure_that_keeps_what_was_copied(mirrored: Core, bucket: Bucket) -> None:
    """While the store answers 503 the sync fails, retryable, saying 503; the next sync copies only the rest."""
    build(mirrored)
    _, mirror = parts(mirrored)
    bucket.proxy.mode = "503"
    with pytest.raises(PublishError) as failed:
        mirror.sync()
    assert failed.value.retryable and failed.value.message.startswith("503 ServiceUnavailable")
    bucket.proxy.mode = "ok"
    first = mirror.sync()
    assert first.uploaded > 0 and mirror.sync().uploaded == 0


def test_a_slow_store_times_out_retryably(mirrored: Core, bucket: Bucket) -> None:
    """An S3 that does not answer within the publish timeout is a retryable timeout, not a hang."""
    build(mirrored)
    _, mirror = parts(mirrored)
    bucket.proxy.mode, bucket.proxy.delay = "slow", 3.0
    with pytest.raises(PublishError) as failed:
        mirror.sync()
    assert failed.value.retryable and failed.value.message.startswith("timed out")


def test_a_missing_bucket_is_refused_for_a_person(mirrored: Core, bucket: Bucket) -> None:
    """A bucket that does not exist is a 404 no retry can fix: the delivery fails for a person to see."""
    build(mirrored)
    _, mirror = parts(mirrored)
    s3.client(bucket.s3_url).delete_bucket(Bucket=bucket.name)
    with pytest.raises(PublishError) as failed:
        mirror.sync()
    assert not failed.value.retryable and "404 NoSuchBucket" in failed.value.message


def test_herald_site_sync_uploads_everything_again(run: object, bucket: Bucket, tmp_path: Path) -> None:
    """`herald site sync` copies the whole site to an emptied bucket (after an outage, or to a new one)."""
    settings = {**bucket.env(), "HERALD_PUBLISHERS": "statuspage,mirror"}
    assert callable(run)
    code, out = run("incident", "open", "Checkout errors", "-m", "Looking.", **settings)
    assert code == 0, out
    code, out = run("site", "build", **settings)
    assert code == 0, out
    s3_client = s3.client(bucket.s3_url)
    code, out = run("site", "sync", **settings)
    assert code == 0 and "S3 mirror" in out, out
    first = bucket.objects()
    assert "status/index.html" in first and b"Checkout errors" in first["status/incidents/1/index.html"]
    for key in first:
        s3_client.delete_object(Bucket=bucket.name, Key=key)
    code, out = run("site", "sync", **settings)
    assert code == 0 and bucket.objects() == first, out

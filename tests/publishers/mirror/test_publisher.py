"""The mirror publisher: one lane per HERALD_SITE_MIRRORS target with a stable name and its own label, a folder
target, bad targets refused at start-up, and a delivery that waits for the status page's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.core import Core
from bot.delivery import deliver
from bot.domain.models import Delivery
from bot.errors import ConfigError
from bot.plugins.contract import PublishError
from bot.store import db
from herald.app import create_core
from publishers.mirror import MirrorPublisher
from tests.bot.delivery import worker_kit as kit
from tests.publishers.mirror.conftest import Bucket, parts
from tests.publishers.statuspage.conftest import NOW, sample
from tests.support import eventually, make_env


def mirrors(core: Core) -> dict[str, MirrorPublisher]:
    """The mirror lanes of `core` by name."""
    return {n: p for n, p in core.registry.publishers.items() if isinstance(p, MirrorPublisher)}


def test_each_target_is_a_lane_of_its_own_with_a_stable_name(database_url: str, tmp_path: Path) -> None:
    """Three targets are three channels (queued for every update), named after their target, so adding a
    target renames none; two S3 mirrors say which bucket in their labels."""
    one = "s3://status-a/page"
    env = make_env(database_url, tmp_path, HERALD_PUBLISHERS="statuspage,mirror", AWS_REGION="us-east-1",
                   HERALD_SITE_MIRRORS=f"{one},file://{tmp_path / 'copy'}")
    first = create_core(load_config(env))
    second = create_core(load_config({**env, "HERALD_SITE_MIRRORS": f"{one},s3://status-b,file://{tmp_path / 'copy'}"}))
    assert sorted(p.label for p in mirrors(first).values()) == ["Folder mirror", "S3 mirror"]
    assert sorted(p.label for p in mirrors(second).values()) == ["Folder mirror", "S3 mirror status-a/page",
                                                                 "S3 mirror status-b"]
    assert set(mirrors(first)) < set(mirrors(second)) and all(n.startswith("mirror-") for n in mirrors(second))
    assert [n for n in second.publisher_names if n.startswith("mirror-")] == list(mirrors(second))
    for core in (first, second):
        core.engine.dispose()


@pytest.mark.parametrize("bad", ["ftp://host/x", "s3://Upper_Case", "file://relative/path", "bucket-only"])
def test_a_target_that_is_not_one_is_refused_at_start(database_url: str, tmp_path: Path, bad: str) -> None:
    """A malformed HERALD_SITE_MIRRORS entry fails at start-up, naming the variable and the entry."""
    with pytest.raises(ConfigError) as refused:
        load_config(make_env(database_url, tmp_path, HERALD_SITE_MIRRORS=f"s3://fine,{bad}"))
    assert "HERALD_SITE_MIRRORS" in refused.value.message and bad in refused.value.message


def test_a_folder_mirror_holds_the_site_and_loses_what_the_site_lost(database_url: str, tmp_path: Path) -> None:
    """A file:// mirror gets every file, leaves no temporary file, and deletes what the store deleted."""
    copy = tmp_path / "copy"
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_PUBLISHERS="statuspage,mirror",
                                            HERALD_SITE_MIRRORS=f"file://{copy}")))
    sample(core)
    page, mirror = parts(core)
    page.build(NOW)
    mirror.sync()
    site = tmp_path / "site"
    public = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert {p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()} == public
    assert (copy / "index.html").read_bytes() == (site / "index.html").read_bytes()
    (site / "404.html").unlink()
    assert mirror.sync().deleted == 1 and not (copy / "404.html").exists()
    core.engine.dispose()


def test_a_delivery_waits_for_the_status_page_to_be_written(mirrored: Core, bucket: Bucket) -> None:
    """While the status page's delivery of the update is pending, the mirror's retries (nothing copied); once
    it is sent, the mirror's delivery copies the page with the update in it."""
    incident = kit.post(mirrored, None, "Checkout errors")
    page, mirror = parts(mirrored)
    with mirrored.sessions() as session:
        ids = {d.publisher: d.id for d in session.scalars(select(Delivery))}
    for publisher in (page.name, mirror.name):
        with db.transaction(mirrored.sessions) as session:
            session.get_one(Delivery, ids[publisher]).claimed_by = "test"  # as a worker's claim
    work = deliver.load(mirrored, delivery_id=ids[mirror.name], worker="test")
    assert work is not None
    waited = deliver.attempt(mirrored, work)
    assert isinstance(waited, PublishError) and waited.retryable and bucket.objects() == {}
    page_work = deliver.load(mirrored, delivery_id=ids[page.name], worker="test")
    assert page_work is not None
    deliver.record(mirrored, page_work, deliver.attempt(mirrored, page_work), worker="test", now=NOW)
    assert not isinstance(deliver.attempt(mirrored, work), PublishError)
    assert b"Checkout errors" in bucket.objects()[f"status/incidents/{incident}/index.html"]


def test_changes_outside_an_update_reach_the_mirror_in_the_background(database_url: str, tmp_path: Path) -> None:
    """When local midnight moves The Past on (or a thread link is added), the mirror copies the rewritten files
    by itself, without a delivery."""
    copy = tmp_path / "copy"
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_PUBLISHERS="statuspage,mirror",
                                            HERALD_SITE_MIRRORS=f"file://{copy}")))
    sample(core)
    page, mirror = parts(core)
    page.build(NOW)
    mirror.sync()
    before = (copy / "index.html").read_bytes()
    later = NOW + timedelta(days=20)
    page.new_day(later)
    assert (tmp_path / "site" / "index.html").read_bytes() != before
    mirror.new_day(later)
    eventually(lambda: (copy / "index.html").read_bytes() == (tmp_path / "site" / "index.html").read_bytes(),
               what="the mirror's copy of the new front page")
    core.engine.dispose()

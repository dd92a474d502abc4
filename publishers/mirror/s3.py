"""An S3-compatible bucket as a mirror target (AWS S3, Cloudflare R2, MinIO, Backblaze B2, Google Cloud Storage's
interoperability API), through boto3.

Credentials, region and endpoint come from the standard AWS settings, read by Herald's config
(`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL`); those
left unset fall to boto3's own chain (a profile, an instance or task role). boto3 retries nothing here:
the mirror is a delivery lane, retried with backoff like any channel, so a request fails fast and says why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from bot.plugins.contract import Config, MirrorTarget, PublishError, SiteFile

log = logging.getLogger(__name__)
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


class S3Target:
    """Objects `prefix/<site path>` in one bucket."""

    def __init__(self, target: MirrorTarget, config: Config) -> None:
        self.bucket, self.prefix = target.place, f"{target.prefix}/" if target.prefix else ""
        secret, token = config.aws_secret_access_key, config.aws_session_token
        self.client: Any = boto3.session.Session().client(
            "s3", region_name=config.aws_region, endpoint_url=config.aws_endpoint_url,
            aws_access_key_id=config.aws_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            aws_session_token=token.get_secret_value() if token else None,
            config=BotoConfig(connect_timeout=min(5.0, config.publish_timeout), read_timeout=config.publish_timeout,
                              retries={"mode": "standard", "total_max_attempts": 1},
                              # the CRC checksums boto3 adds by default are refused by some S3-compatible stores
                              request_checksum_calculation="when_required",
                              response_checksum_validation="when_required"))

    def listing(self) -> dict[str, str]:
        """Every object under the prefix: site path → its ETag (the MD5 of a single-part upload)."""
        found: dict[str, str] = {}
        with failures("the listing"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    found[item["Key"][len(self.prefix):]] = str(item["ETag"]).strip('"')
        return found

    def put(self, found: SiteFile) -> None:
        """Upload one file with its Content-Type and Cache-Control."""
        with failures(found.path):
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + found.path, Body=found.data,
                                   ContentType=found.content_type, CacheControl=found.cache_control)

    def delete(self, path: str) -> None:
        """Delete one object."""
        with failures(path):
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + path)


@contextmanager
def failures(what: str) -> Iterator[None]:
    """Turn what boto3 raises into a PublishError: 5xx, 429 and timeouts retry; 403, 404, bad credentials do not."""
    try:
        yield
    except ClientError as exc:
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        code = exc.response.get("Error", {}).get("Code", "")
        log.info("S3 answered %s %s to the request for %s", status, code, what)
        raise PublishError(f"{status} {code}".strip(), retryable=status in RETRYABLE_STATUS) from exc
    except (ConnectTimeoutError, ReadTimeoutError) as exc:
        log.info("S3 did not answer in time the request for %s", what)
        raise PublishError("timed out", retryable=True) from exc
    except BotoCoreError as exc:  # no connection, no credentials, …
        raise PublishError(f"{type(exc).__name__}: {exc}", retryable="credentials" not in str(exc).lower()) from exc

"""A real S3-protocol server on 127.0.0.1 (moto's ThreadedMotoServer), and a proxy in front of it that a test can
make answer 503 or answer slowly, recording every request the mirror sends (method and object key, in order).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import httpx
from moto.server import ThreadedMotoServer

from tests.serving import free_port

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>'
             b"<Message>Please reduce your request rate.</Message></Error>")
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 on a free port of 127.0.0.1; yields its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def client(url: str) -> Any:
    """A boto3 S3 client for `url` (the test's own look at the bucket)."""
    return boto3.session.Session().client(
        "s3", endpoint_url=url, region_name=CREDENTIALS["AWS_REGION"],
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"], aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])


def new_bucket(url: str) -> str:
    """Create an empty bucket with a fresh name; its name."""
    name = f"status-{uuid.uuid4().hex[:12]}"
    client(url).create_bucket(Bucket=name)
    return name


def objects(url: str, bucket: str) -> dict[str, bytes]:
    """Every object of `bucket` by key."""
    s3 = client(url)
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


class FaultProxy:
    """HTTP on 127.0.0.1 forwarding to `upstream`, unless told to fail: `mode` "ok", "503" or "slow" (`delay` s)."""

    def __init__(self, upstream: str) -> None:
        self.upstream, self.mode, self.delay = upstream.rstrip("/"), "ok", 0.0
        self.seen: list[tuple[str, str]] = []  # (method, path) of every request, in arrival order
        self.lock = threading.Lock()
        self.http = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _any(self) -> None:
                proxy.forward(self)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _any  # noqa: N815 (BaseHTTPRequestHandler's names)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()
        self.http.close()

    def keys(self, method: str) -> list[str]:
        """The object keys (bucket left out) of the `method` requests seen, in order."""
        with self.lock:
            return [unquote(path).split("/", 2)[2] for m, path in self.seen if m == method and path.count("/") >= 2]

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one request: 503, or (after the delay, when slow) whatever the upstream answers."""
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self.lock:
            self.seen.append((handler.command, urlsplit(handler.path).path))
        if self.mode == "503":
            self._answer(handler, 503, {"Content-Type": "application/xml"}, SLOW_DOWN)
            return
        if self.mode == "slow":
            time.sleep(self.delay)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length")}
        reply = self.http.request(handler.command, self.upstream + handler.path, headers=headers, content=body)
        dropped = ("transfer-encoding", "connection", "content-encoding") + (() if handler.command == "HEAD" else
                                                                             ("content-length",))
        keep = {k: v for k, v in reply.headers.items() if k.lower() not in dropped}
        self._answer(handler, reply.status_code, keep, b"" if handler.command == "HEAD" else reply.content)

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            if "content-length" not in {k.lower() for k in headers}:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (the slow fault)
            pass

"""A fake Socket Mode endpoint: a minimal WebSocket server (RFC 6455) on 127.0.0.1.

It greets the client with Slack's `hello`, answers pings, lets a test push envelopes (as Slack does
for slash commands) and records what the client sends back (acks with their response payloads).
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@dataclass
class SocketFake:
    """The listening socket, the one client connection, and what the client sent."""

    server: socket.socket
    client: socket.socket | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The wss-style URL apps.connections.open hands out (plain ws on loopback)."""
        return f"ws://127.0.0.1:{self.server.getsockname()[1]}/link/?ticket=test"

    def send(self, message: dict[str, Any]) -> None:
        """Push a JSON text frame to the connected client (waits up to 10 s for it to connect)."""
        deadline = time.monotonic() + 10
        while self.client is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.client is not None, "the Socket Mode client never connected"
        self.client.sendall(_frame(json.dumps(message).encode(), opcode=1))

    def wait_for(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The client's answer to `envelope_id`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
            time.sleep(0.01)
        raise AssertionError(f"no answer to {envelope_id}: {self.received}")

    def close(self) -> None:
        """Stop listening and drop the client."""
        for sock in (self.client, self.server):
            if sock is not None:
                sock.close()


def start() -> SocketFake:
    """Listen on a free port; the first client that connects is served on a thread."""
    server = socket.create_server(("127.0.0.1", 0))
    fake = SocketFake(server)
    threading.Thread(target=_accept, args=(fake,), daemon=True, name="fake-socket-mode").start()
    return fake


def _accept(fake: SocketFake) -> None:
    try:
        conn, _ = fake.server.accept()
    except OSError:
        return
    request = b""
    while b"\r\n\r\n" not in request:
        request += conn.recv(1024)
    key = next(line.split(":", 1)[1].strip() for line in request.decode().split("\r\n")
               if line.lower().startswith("sec-websocket-key:"))
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
    fake.client = conn
    fake.send({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A00000000"}})
    _read(fake, conn)


def _read(fake: SocketFake, conn: socket.socket) -> None:
    try:
        while True:
            opcode, payload = _next_frame(conn)
            if opcode == 9:  # ping → pong
                conn.sendall(_frame(payload, opcode=10))
            elif opcode == 1:
                with fake.lock:
                    fake.received.append(json.loads(payload))
            elif opcode == 8:
                return
    except (OSError, ConnectionError):
        return


def _recv(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _next_frame(conn: socket.socket) -> tuple[int, bytes]:
    first, second = _recv(conn, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack(">H", _recv(conn, 2))[0]
    elif length == 127:
        length = struct.unpack(">Q", _recv(conn, 8))[0]
    mask = _recv(conn, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(_recv(conn, length)))
    return first & 0x0F, payload


def _frame(payload: bytes, *, opcode: int) -> bytes:
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    if len(payload) < 65536:
        return head + bytes([126]) + struct.pack(">H", len(payload)) + payload
    return head + bytes([127]) + struct.pack(">Q", len(payload)) + payload

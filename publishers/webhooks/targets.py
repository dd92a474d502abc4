"""Where a webhook may be sent: never to a private, loopback or link-local address (HERALD_WEBHOOK_ALLOW_PRIVATE=1
allows private and loopback ones, for tests and private networks; link-local stays refused), checked on the
addresses the name resolves to, not on its text.

The request then goes to the very address that was checked (the name is kept for the Host header and for
TLS: SNI and certificate checks), so a name that resolves once to a public address and then to
169.254.169.254 (DNS rebinding) cannot slip through. A redirect is followed only when it is a 307 or 308
(the POST is kept) and its target passes the same check, at most MAX_REDIRECTS times.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bot.errors import DomainError

MAX_REDIRECTS = 3


class Refused(DomainError):
    """A webhook URL Herald will not call: not http(s), or an address inside a private network."""


@dataclass(frozen=True)
class Target:
    """A checked URL: the URL to connect to (by address), and the name for Host and TLS."""

    url: str
    host: str
    address: str


def check(url: str, *, allow_private: bool) -> Target:
    """The target of `url`, or Refused; an unknown name raises OSError (worth trying again later)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"a webhook URL must be http:// or https:// with a host, not {url[:100]!r}")
    if parts.username or parts.password:
        raise Refused("a webhook URL may not carry a user name or password")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = [str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)]
    addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
    blocked = [a for a in addresses if not public(a) and (not allow_private or _link_local(a))]
    if blocked:
        raise Refused(f"{parts.hostname} resolves to {blocked[0]}, a private, loopback or link-local address")
    chosen = str(addresses[0])
    host_port = f"[{chosen}]" if ":" in chosen else chosen
    netloc = f"{host_port}:{parts.port}" if parts.port else host_port
    return Target(urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), parts.hostname, chosen)


def _link_local(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Link-local (169.254.0.0/16, fe80::/10): where cloud metadata services answer, refused even when private
    networks are allowed: no webhook lives there."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_link_local


def public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address on the public internet (an IPv4-mapped IPv6 address is judged as its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast

"""Web chat visitors: their network origin, and how many new ones (no cookie yet) are let in.

A web visitor without a cookie is a new user, so limits per user alone do not hold there: new
visitors are limited per client address (an IPv6 client per /64, which one subscriber usually has)
and for everyone together, over a moving hour (the `limits` package, kept in memory: each process
counts its own). The origin handed to the engine is a keyed hash of the address, so that wrong
invite codes can be counted per address (flows/join/invites.py) without storing the address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from aiohttp import web
from limits import RateLimitItemPerHour
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


def client_key(request: web.Request) -> str:
    """The client's address as limits count it: IPv4 as it is, IPv6 by its /64 network."""
    remote = request.remote or "?"
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class Visitors:
    """New visitors let in per client address and all together; the keyed origin of a request."""

    def __init__(self, secret: str, per_address: int, per_hour: int) -> None:
        self._key = hashlib.sha256(f"htxbot.web.origin:{secret}".encode()).digest()
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_address = RateLimitItemPerHour(per_address)
        self._everyone = RateLimitItemPerHour(per_hour)

    def origin(self, request: web.Request) -> str:
        """A keyed hash of the client's address (the address itself is never stored)."""
        return "web:" + hmac.new(self._key, client_key(request).encode(), hashlib.sha256).hexdigest()[:32]

    def admit_new(self, request: web.Request) -> bool:
        """Count one new visitor from this request's address; False when the address or everyone is over."""
        address = client_key(request)
        if not (self._limiter.test(self._per_address, "address", address)
                and self._limiter.test(self._everyone, "everyone")):
            return False
        self._limiter.hit(self._per_address, "address", address)
        self._limiter.hit(self._everyone, "everyone")
        return True

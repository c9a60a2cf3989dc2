"""Requests that came through a proxy we trust (TRUSTED_PROXIES): their scheme and client address.

A proxy that ends TLS talks plain HTTP to us, so without this every request looks like http and
cookies would never be Secure. X-Forwarded-Proto and X-Forwarded-For are believed only when the
connection comes from a trusted proxy's address; from anyone else they are ignored (a client could
send them itself). The client is the nearest address in X-Forwarded-For that is not a trusted proxy.
(aiohttp-remotes was considered: its strict mode refuses direct connections, its other modes
believe the headers from anyone.)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip().strip("[]"))
    except ValueError:
        return None


def forwarded(trusted: Sequence[Network]) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """A middleware that believes X-Forwarded-Proto/-For from the trusted proxies only."""

    def is_trusted(address) -> bool:
        return address is not None and any(address in network for network in trusted)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not trusted or not is_trusted(_address(request.remote)):
            return await handler(request)
        changes: dict[str, str] = {}
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            changes["scheme"] = proto
        for hop in reversed(request.headers.get("X-Forwarded-For", "").split(",")):
            address = _address(hop)
            if address is None:
                break
            changes["remote"] = str(address)
            if not is_trusted(address):
                break
        return await handler(request.clone(**changes) if changes else request)

    return middleware

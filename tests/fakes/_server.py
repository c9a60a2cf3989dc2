"""Machinery shared by the fake chat servers: a loopback aiohttp server, recorded calls, faults, bounded waits."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

HOST = "127.0.0.1"


@dataclass(slots=True)
class Call:
    """One request a fake received: the method, its chat, what it carried, and how it was answered."""

    method: str
    chat_id: Any = None
    text: str | None = None
    reply_markup: dict[str, Any] | None = None
    document_name: str | None = None
    document_bytes: bytes | None = None
    params: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    error_code: int | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        """Whether the fake answered this call with success."""
        return self.error_code is None


@dataclass(slots=True)
class Fault:
    """An injected failure: which calls it hits, what it answers, and how many times it still applies."""

    method: str | None
    chat_id: Any
    code: int | None
    description: str | None
    retry_after: int | None
    delay: float
    remaining: int | None  # None: applies for ever

    def matches(self, method: str, chat_id: Any) -> bool:
        """Whether this fault applies to a call of `method` for `chat_id`."""
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)


class FakeServer:
    """A fake API on 127.0.0.1 at a random free port; subclasses list their routes in `_routes`."""

    def __init__(self, *, long_poll_cap: float = 2.0) -> None:
        self.long_poll_cap = long_poll_cap
        self.base_url = ""
        self.calls: list[Call] = []
        self._faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._arrived = asyncio.Event()

    def _routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    async def start(self) -> Self:
        """Start serving on 127.0.0.1 with a port picked by the system; sets `base_url`."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.add_routes(self._routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{HOST}:{port}"
        return self

    async def close(self) -> None:
        """Wake every waiting handler and stop the server."""
        self._closing.set()
        self._arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- faults -------------------------------------------------------------------------------

    def inject(
        self,
        method: str | None = None,
        chat_id: Any = None,
        status: int | None = None,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        delay: float = 0.0,
        count: int = 1,
        always: bool = False,
    ) -> Fault:
        """Make the next `count` matching calls (or all, with `always`) fail with `status` and/or answer late."""
        if status is None and delay <= 0:
            raise ValueError("a fault needs a status, a delay, or both")
        fault = Fault(method, chat_id, status, description, retry_after, delay, None if always else count)
        self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Forget every injected fault."""
        self._faults.clear()

    def _take_fault(self, method: str, chat_id: Any) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, chat_id):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less if the server is closing."""
        if seconds > 0:
            try:
                await asyncio.wait_for(self._closing.wait(), seconds)
            except TimeoutError:
                pass

    # --- waiting ------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._arrived.set()

    async def _wait_until(self, ready: Callable[[], bool], seconds: float) -> bool:
        """Long-poll: wait at most min(seconds, long_poll_cap) for `ready()` to hold; returns whether it did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, min(seconds, self.long_poll_cap))
        while not ready():
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing.is_set():
                return False
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                pass
        return True

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:  # noqa: ASYNC109
        """Poll `predicate` until it is truthy and return its value; TimeoutError after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for _ in range(math.ceil(timeout / interval) + 1):
            value = predicate()
            if value:
                return value
            if loop.time() >= deadline:
                break
            await asyncio.sleep(interval)
        recent = [(c.method, c.chat_id, c.status) for c in self.calls[-5:]]
        raise TimeoutError(f"condition not met within {timeout}s; last calls: {recent}")

    # --- what the server saw ------------------------------------------------------------------

    def per_chat_calls(self, chat_id: Any, method: str | None = None) -> list[Call]:
        """Every call (failed ones too) addressed to `chat_id`, optionally of one method, in arrival order."""
        return [
            c
            for c in self.calls
            if str(c.chat_id) == str(chat_id) and (method is None or c.method.lower() == method.lower())
        ]

    def intervals(self, chat_id: Any, method: str | None = None) -> list[float]:
        """Seconds between consecutive calls to `chat_id` as the server saw them (for rate-limit checks)."""
        times = [c.at for c in self.per_chat_calls(chat_id, method)]
        return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]

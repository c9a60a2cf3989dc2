"""Time limits of the web server: a request body arrives in time or its connection is closed, and a
database call is waited for a bounded time (issue 15).

aiohttp has no read timeout for request bodies: `body_deadline` closes the connection of a client
that has not sent its whole body `seconds` after its headers. `within` waits for a database call
without cancelling it (a driver call cancelled half-way can leave its connection unusable); a late
call goes on in the background, bounded by the database's own time limits (db/base.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def body_deadline(seconds: float) -> Any:
    """A middleware that cuts off a client whose request body is not complete `seconds` after its headers."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.body_exists or request.content.is_eof():
            return await handler(request)
        timer = asyncio.get_running_loop().call_later(seconds, _cut, request)
        try:
            return await handler(request)
        finally:
            timer.cancel()

    return middleware


def _cut(request: web.Request) -> None:
    if request.content.is_eof() or request.transport is None:
        return
    log.info("closing a connection whose request body was still incomplete (%s %s)", request.method, request.path)
    request.transport.close()


async def within(call: Awaitable[T], seconds: float, *, late: Callable[[asyncio.Future], None] | None = None) -> T:
    """The result of `call` if it comes within `seconds`; TimeoutError otherwise, leaving the call
    running (then `late`, if given, is called with it when it ends)."""
    task = asyncio.ensure_future(call)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if task in done:
        return task.result()
    task.add_done_callback(late or _quiet)
    raise TimeoutError(f"no answer within {seconds:g} s")


def _quiet(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.info("a late database call failed: %s", task.exception())


class DatabaseProbe:
    """Whether the database answers `SELECT 1` within a few seconds; checks close together share one query."""

    def __init__(self, db: AsyncEngine, seconds: float = 2.0) -> None:
        self.db = db
        self.seconds = seconds
        self._running: asyncio.Future | None = None
        self._started = 0.0

    async def answers(self) -> bool:
        """True when the database answered in time."""
        now = asyncio.get_running_loop().time()
        if self._running is None or self._running.done() or now - self._started >= self.seconds:
            self._running, self._started = asyncio.ensure_future(self._select_one()), now
        try:
            await within(self._running, self.seconds)
        except Exception:  # noqa: BLE001 - any failure means: not answering
            return False
        return True

    async def _select_one(self) -> None:
        async with self.db.connect() as conn:
            await conn.execute(text("SELECT 1"))

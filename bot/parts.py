"""What one bot process holds (App) and the key the web handlers find it under.

Kept apart from bot/app.py, which assembles the parts, so that the parts can name App without
importing the assembly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.settings import Settings
from flows.engine.engine import Engine
from flows.engine.services import Services

log = logging.getLogger(__name__)

Job = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class App:
    """Everything one bot process holds: settings, database, engine, channels, routes and jobs."""

    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker
    engine: Engine
    channels: dict[str, Any] = field(default_factory=dict)  # name -> object with start()/stop()
    senders: dict[str, Any] = field(default_factory=dict)  # channel -> async send(external_id, text)
    routes: list[web.RouteDef] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)  # run until the stop event is set
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # run first by close()
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task] = field(default_factory=list)

    @property
    def services(self) -> Services:
        """What flows reach through ctx.services (shared with the engine)."""
        return self.engine.services

    async def start(self) -> None:
        """Connect the channels and start the background jobs."""
        for channel in self.channels.values():
            await channel.start()
        self._tasks = [asyncio.create_task(_guarded(job, self._stop)) for job in self.jobs]

    async def stop(self) -> None:
        """Stop jobs and channels, then the engine's writer and the database connections."""
        self._stop.set()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, 10)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        for channel in self.channels.values():
            await channel.stop()
        await self.close()

    async def close(self) -> None:
        """Let the parts finish their writes (the inbox's outcomes), then stop the engine's writer and
        release the database connections."""
        for closer in self.closers:
            try:
                await closer()
            except Exception:  # noqa: BLE001 - closing goes on; what was not written is taken up again
                log.exception("closing: %s failed", getattr(closer, "__qualname__", closer))
        await self.engine.close()
        await self.db.dispose()


async def _guarded(job: Job, stop: asyncio.Event) -> None:
    """Run a job; an unexpected failure is logged and the job restarts after a pause."""
    while not stop.is_set():
        try:
            await job(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a background job must not die silently
            log.exception("background job %s failed; restarting in 5 s", getattr(job, "__name__", job))
            try:
                await asyncio.wait_for(stop.wait(), 5)
            except TimeoutError:
                pass


APP_KEY = web.AppKey("htx", App)

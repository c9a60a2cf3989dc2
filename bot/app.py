"""Wiring: settings -> database -> engine with its flows and services -> channels, routes, jobs.

Features plug in through installers (bot/wiring/*.py), each a function `install(app)` that adds
services for the flows, web routes, outgoing senders and background jobs. `build_app` only
lists them; `App.start` and `App.stop` run what they added.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.catalog import all_flows
from bot.settings import Settings
from db.base import make_engine, make_sessionmaker
from flows.engine.engine import Engine
from flows.engine.services import Services

log = logging.getLogger(__name__)

# Each module has `install(app: App) -> None`; order matters only for what they read of each other.
INSTALLERS = [
    "bot.wiring.telegram",
    "bot.wiring.zalo",
    "bot.wiring.announcements",
    "bot.wiring.dashboard",
    "bot.wiring.reminders",
    "bot.wiring.assistant",
    "bot.wiring.webchat",
]

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
        """Stop the engine's writer and release the database connections."""
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


def build_app(settings: Settings, *, clock: Callable[[], dt.date] | None = None,
              installers: list[str] | None = None) -> App:
    """Build the app for these settings: one database engine, one conversation engine, the features."""
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = make_engine(settings.database_url)
    sessionmaker = make_sessionmaker(db)
    engine = Engine(
        sessionmaker,
        all_flows(),
        timezone=settings.timezone,
        clock=clock,
        services=Services(settings=settings),
        max_text=settings.max_message_chars,
    )
    app = App(settings, db, sessionmaker, engine)
    for name in INSTALLERS if installers is None else installers:
        importlib.import_module(name).install(app)
    return app


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_web(app: App) -> web.Application:
    """The aiohttp application: health check plus every route the features added."""
    web_app = web.Application(client_max_size=256 * 1024)
    web_app[APP_KEY] = app
    web_app.add_routes([web.get("/healthz", _health), *app.routes])
    return web_app

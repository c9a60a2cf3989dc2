"""Wiring: settings -> database -> engine with its flows and services -> channels and web routes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.settings import Settings
from db.base import make_engine, make_sessionmaker
from flows.catalog import all_flows
from flows.engine import Engine

log = logging.getLogger(__name__)


@dataclass
class App:
    """Everything one bot process holds: settings, database, engine, and the running channels."""

    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker
    engine: Engine
    channels: dict[str, Any] = field(default_factory=dict)

    async def close(self) -> None:
        """Stop the engine's writer and release the database connections."""
        await self.engine.close()
        await self.db.dispose()


APP_KEY = web.AppKey("htx", App)


def build_app(settings: Settings, *, clock: Callable[[], dt.date] | None = None) -> App:
    """Build the app for these settings: one database engine, one conversation engine."""
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = make_engine(settings.database_url)
    sessionmaker = make_sessionmaker(db)
    services: dict[str, Any] = {"settings": settings}
    engine = Engine(
        sessionmaker,
        all_flows(),
        timezone=settings.timezone,
        clock=clock,
        services=services,
        max_text=settings.max_message_chars,
    )
    return App(settings, db, sessionmaker, engine)


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_web(app: App) -> web.Application:
    """The aiohttp application: health check and the webhook routes of the configured channels."""
    web_app = web.Application(client_max_size=256 * 1024)
    web_app[APP_KEY] = app
    routes = [web.get("/healthz", _health)]
    for channel in app.channels.values():
        routes.extend(channel.routes())
    web_app.add_routes(routes)
    return web_app

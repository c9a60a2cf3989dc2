"""Assembly: settings -> database -> engine with its flows and services -> channels, routes, jobs.

The parts are listed once, below, as starlette lists its routes: each is a function
`install(app)` (bot/wiring/*.py) that adds services for the flows, web routes, outgoing senders
and background jobs. `App.start` and `App.stop` (bot/parts.py) run what they added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from aiohttp import web

from bot.catalog import all_flows
from bot.channels.health import problems as channel_problems
from bot.parts import APP_KEY, App
from bot.settings import Settings
from bot.timeouts import DatabaseProbe, body_deadline
from bot.web.compress import compress
from bot.web.proxies import forwarded
from bot.wiring import (
    announcements,
    assistant,
    dashboard,
    metrics,
    reminders,
    retention,
    telegram,
    webchat,
    zalo,
)
from db.base import make_engine, make_sessionmaker
from flows.engine.engine import Engine
from flows.engine.services import Services

# Every part of the app, in the order they are installed (order matters only for what they read
# of each other: the senders of the channels before the queues that use them).
PARTS: dict[str, Callable[[App], None]] = {
    "telegram": telegram.install,
    "zalo": zalo.install,
    "announcements": announcements.install,
    "dashboard": dashboard.install,
    "reminders": reminders.install,
    "retention": retention.install,
    "assistant": assistant.install,
    "webchat": webchat.install,
    "metrics": metrics.install,  # last: it counts what the senders above send
}


def build_app(settings: Settings, *, clock: Callable[[], dt.date] | None = None,
              parts: Iterable[str] | None = None) -> App:
    """Build the app for these settings: one database engine, one conversation engine, the parts
    named (all of them by default)."""
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = make_engine(settings.database_url, connect_timeout=settings.database_connect_timeout,
                     statement_timeout=settings.database_statement_timeout)
    sessionmaker = make_sessionmaker(db)
    if clock is None and settings.as_of_date is not None:  # AS_OF_DATE: the conversations run as of that day
        clock = lambda: settings.as_of_date  # noqa: E731
    engine = Engine(
        sessionmaker,
        all_flows(),
        timezone=settings.timezone,
        clock=clock,
        services=Services(settings=settings),
        max_text=settings.max_message_chars,
    )
    app = App(settings, db, sessionmaker, engine)
    for name in PARTS if parts is None else parts:
        PARTS[name](app)
    return app


async def _health(request: web.Request) -> web.Response:
    """200 while the process serves, 503 while the database does not answer; `ok` is false and
    `problems` lists channels an operator must fix."""
    problems = [p.as_json() for p in channel_problems(request.app[APP_KEY].channels.values())]
    database = await request.app[PROBE_KEY].answers()
    body = {"ok": database and not problems, "database": "ok" if database else "down"}
    return web.json_response(body | ({"problems": problems} if problems else {}), status=200 if database else 503)


PROBE_KEY = web.AppKey("database_probe", DatabaseProbe)


def build_web(app: App) -> web.Application:
    """The aiohttp application: health check plus every route the parts added."""
    web_app = web.Application(client_max_size=256 * 1024,
                              middlewares=[forwarded(app.settings.proxy_networks()),
                                           body_deadline(app.settings.request_body_timeout), compress])
    web_app[APP_KEY] = app
    web_app[PROBE_KEY] = DatabaseProbe(app.db)
    web_app.add_routes([web.get("/healthz", _health), *app.routes])
    return web_app

"""The app as `htxbot run` assembles it, served over HTTP on 127.0.0.1 for a test (fixed clock)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from aiohttp.test_utils import TestServer

from bot.app import build_app, build_web
from bot.parts import App
from bot.settings import Settings
from tests.chat import fixed_clock


@contextlib.asynccontextmanager
async def served(settings: Settings, parts: Sequence[str], *, start: bool = False) -> AsyncIterator[tuple[App, TestServer]]:
    """Yields (app, server). With `start`, its channels and background jobs run too (stopped after)."""
    app = build_app(settings, clock=fixed_clock(), parts=list(parts))
    server = TestServer(build_web(app), host="127.0.0.1")
    await server.start_server()
    if start:
        await app.start()
    try:
        yield app, server
    finally:
        if start:
            await app.stop()
            await server.close()
        else:
            await server.close()
            await app.close()

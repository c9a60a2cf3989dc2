"""Browser tests: Playwright driving Debian's Chromium against the app served on 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp import web

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "output" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--lang=vi", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture
async def browser():
    """A headless Chromium; skipped, saying why, only when Chromium could not be installed."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium; apt-get failed here)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


@pytest.fixture
async def page(browser):
    """A page the size of a cheap phone's screen, Vietnamese locale."""
    context = await browser.new_context(viewport={"width": 390, "height": 780}, locale="vi-VN")
    page = await context.new_page()
    page.set_default_timeout(10_000)
    yield page
    await context.close()


@pytest.fixture
async def live_app(engine, database_url):
    """The whole bot (no Telegram token) served over HTTP on 127.0.0.1; yields (app, base_url)."""
    from bot.app import build_app, build_web
    from bot.settings import Settings
    from tests.chat import fixed_clock

    settings = Settings(database_url=database_url, listen_host="127.0.0.1", listen_port=8080,
                        telegram_bot_token=None)
    app = build_app(settings, clock=fixed_clock())
    runner = web.AppRunner(build_web(app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    await app.start()
    try:
        yield app, f"http://127.0.0.1:{port}"
    finally:
        await app.stop()
        await runner.cleanup()


def screenshot_path(name: str) -> str:
    """Where a test saves a screenshot of a main page for review (tests/output/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")

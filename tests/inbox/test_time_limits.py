"""Time limits: slow request bodies are cut off, the database has connect and statement timeouts,
and a webhook URL without its secret stops start-up with one clear line (issue 15)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from aiohttp import web
from sqlalchemy import text

from bot.app import build_app, build_web
from bot.settings import Settings
from tests.chat import fixed_clock

HEADERS = (b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: 200\r\n\r\n")


@pytest.fixture
async def served(engine, database_url):
    """The web chat with a 1-second body timeout on 127.0.0.1; yields (app, port)."""
    settings = Settings(database_url=database_url, telegram_bot_token=None, zalo_bot_token=None, request_body_timeout=1)
    app = build_app(settings, clock=fixed_clock(), parts=["webchat"])
    runner = web.AppRunner(build_web(app))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield app, runner.addresses[0][1]
    finally:
        await runner.cleanup()
        await app.close()


async def _closed_by_server(reader: asyncio.StreamReader) -> bool:
    """Whether the server ends the connection (bounded wait, not a measurement)."""
    async with asyncio.timeout(30):
        while chunk := await reader.read(1024):
            if b"HTTP/1.1 2" in chunk:
                return False  # answered as if the body had come
    return True


async def test_a_client_that_stops_sending_its_body_is_cut_off(served):
    _app, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEADERS + b'{"text": "')  # and then nothing
    await writer.drain()
    assert await _closed_by_server(reader)
    writer.close()


async def test_a_client_that_trickles_its_body_is_cut_off(served):
    _app, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEADERS)

    async def trickle() -> None:
        for _ in range(200):  # a byte every 0.1 s: the body would take 20 s
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.1)

    sending = asyncio.create_task(trickle())
    try:
        assert await _closed_by_server(reader)
    finally:
        sending.cancel()
        writer.close()


async def test_a_body_sent_at_once_is_answered(served):
    _app, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"text": "/start"}'
    writer.write(HEADERS.replace(b"200", str(len(body)).encode()) + body)
    await writer.drain()
    async with asyncio.timeout(30):
        status = await reader.readline()
    assert status.startswith(b"HTTP/1.1 200")
    writer.close()


async def test_the_database_connection_has_the_configured_time_limits(engine, database_url):
    app = build_app(Settings(database_url=database_url, database_statement_timeout=7), parts=[])
    try:
        async with app.db.connect() as conn:
            if app.db.dialect.name == "postgresql":
                assert (await conn.execute(text("SHOW statement_timeout"))).scalar_one() == "7s"
            else:
                assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one() == 7000
    finally:
        await app.close()


@pytest.mark.parametrize("channel", ["TELEGRAM", "ZALO"])
def test_a_webhook_url_without_its_secret_stops_start_up_with_one_clear_line(tmp_path, channel):
    env = {**os.environ, f"{channel}_BOT_TOKEN": "1:abc", f"{channel}_WEBHOOK_URL": "https://htx.example/hook",
           f"{channel}_WEBHOOK_SECRET": "", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 2
    assert len(done.stdout.strip().splitlines()) == 1
    assert f"{channel}_WEBHOOK_SECRET" in done.stdout and "webhook" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr

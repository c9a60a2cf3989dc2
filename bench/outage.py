"""How long people and platforms wait while the database does not answer, and what the inbox costs.

Outage: PostgreSQL behind a proxy that stops forwarding (tests/inbox/blackhole.py) and SQLite
locked by another connection, with the default time limits: the wait of a web chat user (503,
"hệ thống đang bận"), of a Telegram webhook call (503), and of /healthz. Cost: web chat messages
answered per second and the median answer time, through the inbox, on a healthy database.
Usage: .venv/bin/python bench/outage.py [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db.migrate import upgrade_async  # noqa: E402
from tests.fakes.telegram_api import TelegramFake, post_update  # noqa: E402
from tests.inbox.test_database_down import SECRET, TOKEN, Outage  # noqa: E402


async def _fresh_pg(url: str) -> str:
    from db.base import make_engine

    name = f"htxbot_bench_{int(time.time())}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _timed(coro) -> tuple[float, object]:
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result


async def bench(database_url: str, label: str, messages: int) -> None:
    from bot.app import build_app, build_web
    from bot.settings import Settings

    await upgrade_async(database_url)
    async with Outage(database_url) as outage, TelegramFake(token=TOKEN) as tg:
        settings = Settings(database_url=outage.url, telegram_bot_token=TOKEN, zalo_bot_token=None,
                            telegram_api_base_url=tg.base_url + "/bot",
                            telegram_webhook_url="https://htx.example/telegram/webhook", telegram_webhook_secret=SECRET)
        app = build_app(settings, parts=["telegram", "webchat"])
        runner = web.AppRunner(build_web(app), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        await app.start()
        try:
            async with aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=120),
                                             cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                latencies = []
                start = time.perf_counter()
                for i in range(messages):
                    seconds, _ = await _timed(_post(http, {"text": "/start" if i % 2 else "menu", "id": f"b{i}"}))
                    latencies.append(seconds)
                rate = messages / (time.perf_counter() - start)
                print(f"{label}: healthy, one visitor: {rate:.0f} messages/s, "
                      f"median {statistics.median(latencies) * 1000:.1f} ms (inbox write + engine + done mark)")
                await _inbox_cost(app, messages, label)
                outage.begin()
                web_wait, status = await _timed(_post(http, {"text": "/start", "id": "down1"}))
                hook_wait, hook = await _timed(post_update(f"{base}/telegram/webhook", tg.user_says(5, "/start"),
                                                           secret_token=SECRET, timeout=120))
                health_wait, health = await _timed(_get(http, "/healthz"))
                outage.end()
                print(f"{label}: database away: web user {web_wait:.2f} s ({status}), "
                      f"webhook {hook_wait:.2f} s ({hook}), /healthz {health_wait:.2f} s ({health})")
        finally:
            outage.end()
            await app.stop()
            await runner.cleanup()


async def _inbox_cost(app, messages: int, label: str) -> None:
    """The same messages handed to the engine directly and through the inbox (in process, no HTTP)."""
    from bot.inbox import Inbox
    from flows.engine.messages import Incoming

    inbox = Inbox(app.engine)
    figures = {}
    for way in ("engine", "inbox"):
        latencies = []
        for i in range(messages):
            incoming = Incoming("bench", f"{way}-user", text="/start" if i % 2 else "menu", message_id=f"{way}{i}")
            start = time.perf_counter()
            if way == "engine":
                await app.engine.handle(incoming)
            else:
                await inbox.handle_now("bench", f"{way}{i}", {"text": incoming.text}, incoming)
            latencies.append(time.perf_counter() - start)
        figures[way] = statistics.median(latencies) * 1000
    await inbox.settle()
    print(f"{label}: median per message, engine alone {figures['engine']:.1f} ms, "
          f"through the inbox {figures['inbox']:.1f} ms")


async def _post(http: aiohttp.ClientSession, payload: dict) -> int:
    async with http.post("/api/chat", json=payload) as response:
        await response.read()
        return response.status


async def _get(http: aiohttp.ClientSession, path: str) -> int:
    async with http.get(path) as response:
        await response.read()
        return response.status


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="a PostgreSQL URL to create a bench database on")
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await bench(f"sqlite+aiosqlite:///{tmp}/bench.db", "SQLite (locked)", args.messages)
    if args.pg:
        await bench(await _fresh_pg(args.pg), "PostgreSQL (silent)", args.messages)


if __name__ == "__main__":
    asyncio.run(main())

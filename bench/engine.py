"""Onboarding: our durable engine (SQLite, PostgreSQL) through the inbox vs PTB's in-memory ConversationHandler.

Both start from the update as Telegram sends it (decoded JSON), render the same templates, parse with
the same input kinds and answer through python-telegram-bot's Bot with the Bot API answered in
memory. Ours takes the path of the real webhook (TelegramChannel.receive): the update is read,
committed to the inbox, handled by the engine, its state committed, then the replies are sent;
an answer's latency runs from receiving the update to its last reply sent. Figures: throughput with
1,000 users at once (each user's next message after the previous answer), median of alternating
rounds, every round's ratio; then latency one user at a time and 10 users at a time (warm).
Usage: .venv/bin/python bench/engine.py [--users 1000] [--rounds 5] [--pg postgresql+asyncpg://...]
       [--profile FILE]  (cProfile of the one-user-at-a-time run, top functions printed)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder  # noqa: E402

from bench.ptb_onboarding import onboarding_handler  # noqa: E402
from bench.telegram_stub import MemoryRequest, tap_update, text_update  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from flows.engine import geo  # noqa: E402
from flows.onboarding.flow import ROLES  # noqa: E402

SCRIPT = [("text", "/start"), ("tap", "onboarding.role|nong_dan"), ("text", "vinh long"), ("text", "long hiep"),
          ("text", "co")]
LIGHT_USERS = 300  # users in the latency runs (x 5 messages)


def _updates(uid: int, base: int) -> list[dict]:
    out = []
    for i, (kind, value) in enumerate(SCRIPT):
        update_id = base + i
        out.append(text_update(update_id, uid, value) if kind == "text"
                   else tap_update(update_id, uid, value, ROLES[0].label))
    return out


async def _users(one, users: int, at_once: int | None, first: int) -> float:
    """Run `one(uid)` for `users` users, `at_once` of them at a time (all at once: None); the seconds taken."""
    gate = asyncio.Semaphore(at_once or users)

    async def gated(uid: int) -> None:
        async with gate:
            await one(uid)

    start = time.perf_counter()
    await asyncio.gather(*(gated(first + i) for i in range(users)))
    return time.perf_counter() - start


async def _drive_ptb(application, users: int, at_once: int | None = None, first: int = 1000):
    latencies: list[float] = []

    async def one(uid: int) -> None:
        for data in _updates(uid, uid * 10):
            t0 = time.perf_counter()
            await application.process_update(Update.de_json(data, application.bot))
            latencies.append(time.perf_counter() - t0)

    return await _users(one, users, at_once, first), latencies


# ---- ours: the webhook's path through the inbox ---------------------------------------------

class BenchChannel(TelegramChannel):
    """The real channel; a user's future is resolved once the replies to their message were sent."""

    def __init__(self, *args, **kwargs) -> None:
        self.answered: dict[str, asyncio.Future] = {}
        super().__init__(*args, **kwargs)

    def _replier(self, query, chat_id, incoming):
        send = super()._replier(query, chat_id, incoming)

        async def reply(replies) -> None:
            await send(replies)
            future = self.answered.pop(incoming.external_id, None)
            if future is not None and not future.done():
                future.set_result(None)

        return reply


async def _drive_ours(channel: BenchChannel, users: int, at_once: int | None = None, first: int = 1000):
    latencies: list[float] = []
    loop = asyncio.get_running_loop()

    async def one(uid: int) -> None:
        for data in _updates(uid, uid * 10):
            answered = channel.answered[str(uid)] = loop.create_future()
            t0 = time.perf_counter()
            await channel.receive(data)
            await asyncio.wait_for(answered, 60)
            latencies.append(time.perf_counter() - t0)

    return await _users(one, users, at_once, first), latencies


class Ours:
    """One app on a fresh database, its Telegram channel on the in-memory Bot API."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    async def __aenter__(self) -> BenchChannel:
        from bot.app import build_app
        from bot.settings import Settings
        from bot.wiring.inbox import shared_inbox
        from db.migrate import upgrade_async

        await upgrade_async(self.database_url)
        self.app = build_app(Settings(database_url=self.database_url), parts=[])
        self.channel = BenchChannel(self.app.engine, "1:BENCH", request=MemoryRequest(),
                                    inbox=shared_inbox(self.app))
        await self.channel.application.initialize()
        self.stop = asyncio.Event()
        self.drain = asyncio.create_task(self.channel.inbox.run(self.stop))  # as `htxbot run` does
        return self.channel

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        await self.drain
        await self.channel.application.shutdown()
        await self.app.close()


async def bench_ours(database_url: str, users: int, at_once: int | None = None, warm: int = 0) -> dict:
    async with Ours(database_url) as channel:
        if warm:
            await _drive_ours(channel, warm, first=900_000)
        elapsed, lat = await _drive_ours(channel, users, at_once)
    return _figures(elapsed, lat)


async def bench_ptb(users: int, at_once: int | None = None, warm: int = 0) -> dict:
    application = ApplicationBuilder().token("1:BENCH").request(MemoryRequest()).updater(None).build()
    application.add_handler(onboarding_handler())
    await application.initialize()
    try:
        if warm:
            await _drive_ptb(application, warm, first=900_000)
        elapsed, lat = await _drive_ptb(application, users, at_once)
    finally:
        await application.shutdown()
    return _figures(elapsed, lat)


def _figures(elapsed: float, lat: list[float]) -> dict:
    lat = sorted(lat)
    return {"messages": len(lat), "seconds": elapsed, "rate": len(lat) / elapsed,
            "p50_ms": statistics.median(lat) * 1000, "p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000}


def _line(name: str, f: dict) -> str:
    return (f"{name:<42} {f['messages']:>6} msgs  {f['rate']:>8.0f} msg/s  "
            f"p50 {f['p50_ms']:6.2f} ms  p99 {f['p99_ms']:6.2f} ms")


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda f: f["rate"])[len(runs) // 2]


async def _pg_url(base: str | None):
    if not base:
        return None
    os.environ["TEST_DATABASE_URL"] = base
    from tests.conftest import _fresh_pg_database

    return await _fresh_pg_database()


async def _drop_pg(url: str) -> None:
    from tests.conftest import _drop_pg_database

    await _drop_pg_database(url)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each variant, alternating; medians shown")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--profile", help="write a cProfile of the one-user-at-a-time run here")
    parser.add_argument("--only-latency", action="store_true", help="skip the throughput rounds")
    args = parser.parse_args()
    geo.find_province("ha noi")  # build indexes outside the timings
    geo.find_commune("long hiep", 86)
    await bench_ptb(20)  # warm up imports and template compilation
    with tempfile.TemporaryDirectory() as tmp:
        await bench_ours(f"sqlite+aiosqlite:///{tmp}/warm.db", 20)
    gc.collect()  # as `htxbot run` does once started (bot/cli.py); both variants run in this process
    gc.freeze()
    rounds = 0 if args.only_latency else args.rounds
    ptb_runs, ours_runs, pg_runs = [], [], []
    for i in range(rounds):
        ptb_runs.append(await bench_ptb(args.users))
        with tempfile.TemporaryDirectory() as tmp:
            ours_runs.append(await bench_ours(f"sqlite+aiosqlite:///{tmp}/bench.db", args.users))
        line = f"round {i + 1}: PTB {ptb_runs[-1]['rate']:.0f} msg/s, SQLite {ours_runs[-1]['rate']:.0f} msg/s " \
               f"({ours_runs[-1]['rate'] / ptb_runs[-1]['rate']:.2f}x)"
        url = await _pg_url(args.pg)
        if url:
            try:
                pg_runs.append(await bench_ours(url, args.users))
            finally:
                await _drop_pg(url)
            line += f", PostgreSQL {pg_runs[-1]['rate']:.0f} msg/s ({pg_runs[-1]['rate'] / ptb_runs[-1]['rate']:.2f}x)"
        print(line, flush=True)
    if rounds:
        print(f"{args.users} users x {len(SCRIPT)} messages at once, median of {rounds} alternating rounds")
        ptb = _median_run(ptb_runs)
        print(_line("python-telegram-bot ConversationHandler (RAM)", ptb))
        _ratios("SQLite", ours_runs, ptb_runs, "median >= 1.0x, no round below 0.9x")
        if pg_runs:
            _ratios("PostgreSQL", pg_runs, ptb_runs, "median >= 0.85x")
    await _latency(args)


def _ratios(name: str, runs: list[dict], ptb_runs: list[dict], bar: str) -> None:
    ratios = [o["rate"] / p["rate"] for o, p in zip(runs, ptb_runs, strict=True)]
    print(_line(f"HTX Bot engine, {name}, through the inbox", _median_run(runs)))
    print(f"ratio {name} / in-memory ConversationHandler: median {statistics.median(ratios):.2f}x "
          f"(bar: {bar}); rounds " + ", ".join(f"{r:.2f}x" for r in ratios))


async def _latency(args) -> None:
    """Warm latency: one user at a time (each message after the previous answer), then 10 at a time."""
    print(f"latency, warm, {LIGHT_USERS} users x {len(SCRIPT)} messages:")
    print(_line("one user at a time, PTB in memory", await bench_ptb(LIGHT_USERS, 1, warm=20)))
    with tempfile.TemporaryDirectory() as tmp:
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        async with Ours(f"sqlite+aiosqlite:///{tmp}/light.db") as channel:
            await _drive_ours(channel, 20, first=900_000)
            if profiler:
                profiler.enable()
            elapsed, lat = await _drive_ours(channel, LIGHT_USERS, 1)
            if profiler:
                profiler.disable()
        print(_line("one user at a time, SQLite", _figures(elapsed, lat)) + "  (bar: p50 <= 1.0 ms, p99 <= 3 ms)")
        if profiler:
            import pstats

            profiler.dump_stats(args.profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    with tempfile.TemporaryDirectory() as tmp:
        ten = await bench_ours(f"sqlite+aiosqlite:///{tmp}/ten.db", LIGHT_USERS, 10, warm=20)
    print(_line("10 users at a time, SQLite", ten) + "  (bar: p99 <= 8 ms)")


if __name__ == "__main__":
    asyncio.run(main())

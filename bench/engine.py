"""Onboarding throughput: our durable engine (SQLite, PostgreSQL) vs PTB's in-memory ConversationHandler.

Both run inside python-telegram-bot's Application with the Bot API answered in memory, render
the same templates and parse with the same input kinds; only the conversation machinery differs.
Usage: .venv/bin/python bench/engine.py [--users 300] [--pg postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import (  # noqa: E402
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bench.telegram_stub import MemoryRequest, tap_update, text_update  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from flows.engine import geo  # noqa: E402
from flows.engine.content import render  # noqa: E402
from flows.engine.inputs import Ok, YesNo  # noqa: E402
from flows.onboarding.flow import ROLES  # noqa: E402

SCRIPT = [("text", "/start"), ("tap", "onboarding.role|nong_dan"), ("text", "vinh long"), ("text", "long hiep"),
          ("text", "co")]


def _updates(uid: int, base: int) -> list[dict]:
    out = []
    for i, (kind, value) in enumerate(SCRIPT):
        update_id = base + i
        out.append(text_update(update_id, uid, value) if kind == "text"
                   else tap_update(update_id, uid, value, ROLES[0].label))
    return out


async def _drive(application, users: int) -> tuple[float, list[float]]:
    """Every user goes through onboarding; users run concurrently, each user's messages in order."""
    latencies: list[float] = []

    async def one(uid: int) -> None:
        for data in _updates(uid, uid * 10):
            update = Update.de_json(data, application.bot)
            t0 = time.perf_counter()
            await application.process_update(update)
            latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(one(1000 + i) for i in range(users)))
    return time.perf_counter() - start, latencies


# ---- ours ----------------------------------------------------------------------------------

async def bench_ours(database_url: str, users: int) -> dict:
    from bot.app import build_app
    from bot.settings import Settings
    from db.migrate import upgrade_async

    await upgrade_async(database_url)
    app = build_app(Settings(database_url=database_url), parts=[])  # the channel is built here
    channel = TelegramChannel(app.engine, "1:BENCH", request=MemoryRequest())
    await channel.application.initialize()
    try:
        elapsed, lat = await _drive(channel.application, users)
    finally:
        await channel.application.shutdown()
        await app.close()
    return _figures(elapsed, lat)


# ---- python-telegram-bot's ConversationHandler, in memory ----------------------------------

ROLE, PROVINCE, COMMUNE, ANNOUNCE = "role", "province", "commune", "announce"


def _keyboard(options, step):
    return InlineKeyboardMarkup([[InlineKeyboardButton(o.label, callback_data=f"onboarding.{step}|{o.id}")]
                                 for o in options])


def _ptb_handler() -> ConversationHandler:
    yes_no = YesNo()

    def ctx_vars(update):
        return {"answers": {}, "user": {"display_name": update.effective_user.full_name, "role": None},
                "today": None, "channel": "telegram", "current": None, "selected": []}

    async def start(update, context):
        v = ctx_vars(update)
        await update.message.reply_text(render("onboarding/welcome.j2", **v), parse_mode=ParseMode.HTML)
        await update.message.reply_text(render("onboarding/ask_role.j2", **v), parse_mode=ParseMode.HTML,
                                         reply_markup=_keyboard(ROLES, "role"))
        return ROLE

    async def role(update, context):
        q = update.callback_query
        await q.answer()
        context.user_data["role"] = q.data.rpartition("|")[2]
        await q.edit_message_text(q.message.text_html + "\n\n➡️ <b>x</b>", parse_mode=ParseMode.HTML)
        await q.message.chat.send_message(render("onboarding/ask_province.j2", **ctx_vars(update)),
                                          parse_mode=ParseMode.HTML)
        return PROVINCE

    async def province(update, context):
        found = geo.find_province(update.message.text)
        if len(found.places) != 1:
            await update.message.reply_text(render("inputs/province.j2"))
            return PROVINCE
        context.user_data["province"] = found.places[0].code
        await update.message.reply_text(render("onboarding/ask_commune.j2", **ctx_vars(update)),
                                        parse_mode=ParseMode.HTML)
        return COMMUNE

    async def commune(update, context):
        found = geo.find_commune(update.message.text, context.user_data["province"])
        if len(found.places) != 1:
            await update.message.reply_text(render("inputs/commune.j2", province=None))
            return COMMUNE
        context.user_data["commune"] = found.places[0].code
        await update.message.reply_text(render("onboarding/ask_announcements.j2", **ctx_vars(update)),
                                        parse_mode=ParseMode.HTML, reply_markup=_keyboard(yes_no.options(None), "ann"))
        return ANNOUNCE

    async def announce(update, context):
        result = yes_no.parse(update.message.text, None)
        if not isinstance(result, Ok):
            await update.message.reply_text(render("inputs/yes_no.j2"))
            return ANNOUNCE
        v = ctx_vars(update)
        await update.message.reply_text(render("onboarding/done.j2", **v), parse_mode=ParseMode.HTML)
        await update.message.reply_text(render("menu/main.j2", **v), parse_mode=ParseMode.HTML)
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={ROLE: [CallbackQueryHandler(role)], PROVINCE: [MessageHandler(text, province)],
                COMMUNE: [MessageHandler(text, commune)], ANNOUNCE: [MessageHandler(text, announce)]},
        fallbacks=[CommandHandler("start", start)],
    )


async def bench_ptb(users: int) -> dict:
    application = ApplicationBuilder().token("1:BENCH").request(MemoryRequest()).updater(None).build()
    application.add_handler(_ptb_handler())
    await application.initialize()
    try:
        elapsed, lat = await _drive(application, users)
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each variant, alternating; medians shown")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    geo.find_province("ha noi")  # build indexes outside the timings
    geo.find_commune("long hiep", 86)
    await bench_ptb(20)  # warm up imports and template compilation
    ptb_runs, ours_runs = [], []
    for _ in range(args.rounds):
        ptb_runs.append(await bench_ptb(args.users))
        with tempfile.TemporaryDirectory() as tmp:
            ours_runs.append(await bench_ours(f"sqlite+aiosqlite:///{tmp}/bench.db", args.users))
    ptb, ours = _median_run(ptb_runs), _median_run(ours_runs)
    print(f"{args.users} users x {len(SCRIPT)} messages, median of {args.rounds} alternating rounds")
    print(_line("python-telegram-bot ConversationHandler (RAM)", ptb))
    print(_line("HTX Bot engine, SQLite (written through)", ours))
    ratios = sorted(o["rate"] / p["rate"] for o, p in zip(ours_runs, ptb_runs, strict=True))
    print(f"ratio SQLite / in-memory ConversationHandler: {ours['rate'] / ptb['rate']:.2f}x (bar: >= 1.0x); "
          f"per round {ratios[0]:.2f}x to {ratios[-1]:.2f}x")
    with tempfile.TemporaryDirectory() as tmp:  # latency when few users talk at once
        light = await bench_ours(f"sqlite+aiosqlite:///{tmp}/light.db", 10)
    print(_line("HTX Bot engine, SQLite, 10 users at a time", light))
    if args.pg:
        os.environ["TEST_DATABASE_URL"] = args.pg
        from tests.conftest import _drop_pg_database, _fresh_pg_database

        url = await _fresh_pg_database()
        try:
            pg = await bench_ours(url, args.users)
        finally:
            await _drop_pg_database(url)
        print(_line("HTX Bot engine, PostgreSQL (written through)", pg))
        print(f"ratio PostgreSQL / in-memory ConversationHandler: {pg['rate'] / ptb['rate']:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())

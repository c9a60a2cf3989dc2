"""kill -9 while Telegram is slow to take replies: every update the webhook acknowledged is answered
after a restart, none twice (issue 15: before the inbox, 4 of 5 acknowledged messages were lost) —
the ones still waiting in the inbox, and the one whose state was committed but whose replies the kill
cut off (kept with its state, they are sent again when the inbox takes the update up again)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
from sqlalchemy import select

from db.base import make_engine
from db.models import Conversation, InboxItem
from tests.fakes.telegram_api import TelegramFake, post_update

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "123:ABC"
SECRET = "crash-Test_secret"
# each user's conversation: the first message's replies are in flight when the process dies; the
# others wait behind it, acknowledged but not yet handled
SCRIPT = [("/start", "Bạn là ai"), ("chu nhiem", "tỉnh/thành phố nào"), ("can tho", "xã/phường nào"),
          ("ninh kieu", "nhận thông báo")]
USERS = [501, 502]
# what `htxbot run` serves, without the content check before it (tested on its own; it only slows each start)
RUN = [sys.executable, "-c", "import asyncio; from bot.cli import load_settings, _serve; asyncio.run(_serve(load_settings()))"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _upgrade(database_url: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", env={**os.environ, "DATABASE_URL": database_url}, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()


async def _run_bot(database_url: str, tg: TelegramFake, port: int) -> asyncio.subprocess.Process:
    """`htxbot run` in webhook mode against the fake Bot API; returns once /healthz answers."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "LISTEN_HOST": "127.0.0.1",
           "LISTEN_PORT": str(port), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": tg.base_url + "/bot",
           "TELEGRAM_WEBHOOK_URL": "https://htx.example/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "INBOX_LEASE_SECONDS": "2", "ZALO_BOT_TOKEN": "", "ZALO_OA_APP_ID": "", "REMINDERS_ENABLED": "false"}
    proc = await asyncio.create_subprocess_exec(*RUN, env=env, cwd=ROOT,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        for _ in range(300):  # up to about a minute
            if proc.returncode is not None:
                raise AssertionError(f"the bot ended: {(await proc.stderr.read()).decode()[-2000:]}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200 and tg.webhook["url"]:
                        return proc
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    proc.kill()
    raise AssertionError("the bot did not start")


async def _rows(database_url: str) -> list[InboxItem]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(select(InboxItem).order_by(InboxItem.id))).all())
    finally:
        await engine.dispose()


async def _handled(database_url: str) -> set[str]:
    """The message ids whose new state was committed (the engine's record of what it handled)."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return {i for ids in (await conn.execute(select(Conversation.recent_ids))).scalars() for i in ids}
    finally:
        await engine.dispose()


def _bot_texts(tg: TelegramFake, chat_id: int) -> list[str]:
    return [m.get("text") or "" for m in tg.messages_to(chat_id)]


async def test_updates_acknowledged_before_a_kill_are_answered_after_the_restart_each_once(database_url):
    await _upgrade(database_url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    sent: dict[int, list[tuple[str, str]]] = {user: [] for user in USERS}  # (message id, expected reply)
    async with TelegramFake(token=TOKEN) as tg:
        first = await _run_bot(database_url, tg, port)
        try:
            tg.inject("sendMessage", delay=60, always=True)  # Telegram is slow to take replies
            for text, reply in SCRIPT:
                for user in USERS:
                    update = tg.user_says(user, text)
                    assert await post_update(url, update, secret_token=SECRET) == 200
                    sent[user].append((f"m{user}:{update['message']['message_id']}", reply))
            # replies are on their way to Telegram; the rest of each user's messages wait behind them
            await tg.wait_for(lambda: {c.chat_id for c in tg.calls if c.method == "sendMessage"} >= set(USERS),
                              timeout=20)
        finally:
            first.send_signal(signal.SIGKILL)
            await asyncio.wait_for(first.wait(), 10)
        assert first.returncode == -signal.SIGKILL
        assert all(_bot_texts(tg, user) == [] for user in USERS)  # nothing reached the users
        rows = await _rows(database_url)
        assert len(rows) == len(SCRIPT) * len(USERS) and {r.status for r in rows} == {"pending"}
        handled = await _handled(database_url)  # committed, their replies cut off with the process
        waiting = {user: [(i, r) for i, r in sent[user] if i not in handled] for user in USERS}
        assert sum(map(len, waiting.values())) >= len(USERS) * (len(SCRIPT) - 2)  # acknowledged, not yet handled

        tg.clear_faults()
        second = await _run_bot(database_url, tg, port)
        try:
            for user in USERS:
                for _id, reply in sent[user]:
                    await tg.wait_for(lambda u=user, r=reply: any(r in t for t in _bot_texts(tg, u)), timeout=30)
            for _ in range(150):  # until every row is marked done (bounded)
                if {r.status for r in await _rows(database_url)} == {"done"}:
                    break
                await asyncio.sleep(0.2)
            assert {r.status for r in await _rows(database_url)} == {"done"}
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 30)
    for user in USERS:
        texts = _bot_texts(tg, user)
        for message_id, reply in sent[user]:  # each answered once, in order: cut off or waiting alike
            assert sum(reply in t for t in texts) == 1, (message_id, message_id in handled, texts)
        order = [next(i for i, t in enumerate(texts) if reply in t) for _id, reply in sent[user]]
        assert order == sorted(order)
    assert handled  # the kill did cut some replies off after their commit

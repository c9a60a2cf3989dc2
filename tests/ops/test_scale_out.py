"""Several `htxbot run` processes: one polling process per bot (a lease the system frees when the
process dies), and WEB_SECRET required when PROCESSES says there are several."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from pydantic import ValidationError

from bot.lease import LeaseTaken, PollingLease
from bot.settings import Settings
from db.base import make_engine
from tests.fakes.telegram_api import TelegramFake

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "123:ABC"
# `htxbot run` without its content check (tests/registry checks the content)
RUN = [sys.executable, "-c", "import asyncio; from bot.cli import load_settings, _serve; asyncio.run(_serve(load_settings()))"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sqlite_path(database_url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(database_url[len(prefix):]) if database_url.startswith(prefix) else None


async def test_one_bot_is_polled_by_one_process_at_a_time(database_url):
    one, two = make_engine(database_url), make_engine(database_url)  # as two processes would
    path = _sqlite_path(database_url)
    first = PollingLease(one, path, "telegram", TOKEN)
    second = PollingLease(two, path, "telegram", TOKEN)
    other_bot = PollingLease(two, path, "telegram", "999:OTHER")
    try:
        await first.take()
        with pytest.raises(LeaseTaken):
            await second.take()
        await other_bot.take()  # another bot's lease is its own
        assert await first.held()
        await first.release()  # as when the first process ends
        await second.take()
        assert await second.held()
    finally:
        for lease in (first, second, other_bot):
            await lease.release()
        await one.dispose()
        await two.dispose()


def _env(database_url: str, tg: TelegramFake, port: int, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "LISTEN_HOST": "127.0.0.1",
            "LISTEN_PORT": str(port), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": tg.base_url + "/bot",
            "TELEGRAM_WEBHOOK_URL": "", "ZALO_BOT_TOKEN": "", "ZALO_OA_APP_ID": "", "REMINDERS_ENABLED": "false",
            "WEB_SECRET": "mot-khoa-dai-cho-thu-nghiem", **extra}


async def _run(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*RUN, env=env, cwd=ROOT,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def _serving(proc: asyncio.subprocess.Process, port: int, tg: TelegramFake) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        for _ in range(600):  # up to about two minutes on a busy machine
            if proc.returncode is not None:
                raise AssertionError(f"the bot ended: {(await proc.stderr.read()).decode()[-2000:]}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200 and any(c.method == "getUpdates" for c in tg.calls):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the bot did not start polling")


async def test_a_second_polling_process_for_the_same_bot_refuses_to_start(engine, database_url):
    async with TelegramFake(token=TOKEN, long_poll_cap=1.0) as tg:
        port = _free_port()
        first = await _run(_env(database_url, tg, port))
        try:
            await _serving(first, port, tg)
            second = await _run(_env(database_url, tg, _free_port()))
            out, err = await asyncio.wait_for(second.communicate(), 180)
            assert second.returncode == 1, err.decode()[-2000:]
            assert "Telegram: một tiến trình khác đang nhận tin nhắn của bot này bằng long polling" in out.decode()
            assert "TELEGRAM_WEBHOOK_URL" in out.decode()
            first.send_signal(signal.SIGKILL)  # the lease goes with the process, even killed
            await asyncio.wait_for(first.wait(), 10)
            tg.calls.clear()
            port = _free_port()
            third = await _run(_env(database_url, tg, port))
            try:
                await _serving(third, port, tg)
            finally:
                third.send_signal(signal.SIGTERM)
                await asyncio.wait_for(third.wait(), 30)
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()


def test_several_processes_need_one_web_secret(tmp_path):
    with pytest.raises(ValidationError) as refused:
        Settings(processes=2, web_secret="", web_secret_file=tmp_path / "web_secret")
    assert "PROCESSES > 1" in str(refused.value) and "cùng một chuỗi" in str(refused.value)
    assert not (tmp_path / "web_secret").exists()  # no secret of its own was made
    assert Settings(processes=2, web_secret="mot-khoa-dai-va-ngau-nhien").processes == 2
    assert Settings(processes=1, web_secret="", web_secret_file=tmp_path / "web_secret").web_secret.get_secret_value()

"""A bot process killed with SIGKILL between two messages loses nothing: the next one continues."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def _start(database_url: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "chat", "--user", "restart-user",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env, cwd=ROOT,
    )


async def _say(proc: asyncio.subprocess.Process, text: str, expect: str) -> str:
    """Send a line and read until the reply contains `expect` (bounded in time)."""
    proc.stdin.write((text + "\n").encode())
    await proc.stdin.drain()
    seen = ""
    async with asyncio.timeout(20):
        while expect not in seen:
            line = await proc.stdout.readline()
            if not line:
                raise AssertionError(f"process ended; stderr: {(await proc.stderr.read()).decode()[-2000:]}")
            seen += line.decode()
    return seen


async def _upgrade(database_url: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", env={**os.environ, "DATABASE_URL": database_url}, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()


async def test_sigkill_between_messages_loses_nothing(database_url):
    await _upgrade(database_url)
    first = await _start(database_url)
    await _say(first, "/start", "Bạn là ai")
    await _say(first, "chu nhiem", "tỉnh/thành phố nào")
    await _say(first, "can tho", "xã/phường nào")
    first.send_signal(signal.SIGKILL)
    await asyncio.wait_for(first.wait(), 10)
    assert first.returncode == -signal.SIGKILL

    second = await _start(database_url)
    try:
        # the same step, with the earlier answers: the commune is looked up in Cần Thơ
        # (the terminal cannot carry announcements, so that question is not asked there)
        out = await _say(second, "ninh kieu", "Bạn có đồng ý")  # the privacy notice's consent
        assert "nơi khớp" not in out
        await _say(second, "dong y", "Menu chính")
        out = await _say(second, "/hoso", "Bạn muốn sửa gì")
        assert "Chủ nhiệm hoặc cán bộ HTX" in out
        assert "Cần Thơ" in out and "Phường Ninh Kiều" in out
    finally:
        second.stdin.close()
        await asyncio.wait_for(second.wait(), 20)

"""One long-polling process per bot: Telegram and Zalo hand a bot's updates to one getUpdates caller.

Before a channel starts polling, the process takes the bot's lease and keeps it while it runs:
on PostgreSQL a session advisory lock (pg_try_advisory_lock) on a connection kept open for it,
on SQLite an exclusive lock (flock) on a file beside the database. Both are released by the
operating system or the server when the process ends, even after kill -9, so a restarted
process takes the lease at once. A second process for the same bot finds it taken and stops
with one clear line (bot/cli.py). Webhook mode takes no lease: any number of processes serve it.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

CHECK_EVERY = 30.0  # seconds between checks that a PostgreSQL lease is still held


class LeaseTaken(Exception):
    """Another process polls this bot."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel)
        self.channel = channel


def lease_key(channel: str, token: str) -> int:
    """A signed 64-bit key for this bot (the token itself is never stored or sent)."""
    digest = hashlib.sha256(f"htxbot:poll:{channel}:{token}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PollingLease:
    """The lease of one bot's polling; `take` raises LeaseTaken, `release` gives it back."""

    def __init__(self, db: AsyncEngine, sqlite_path: Path | None, channel: str, token: str) -> None:
        self.db, self.channel = db, channel
        self.key = lease_key(channel, token)
        self.path = sqlite_path.with_name(f"{sqlite_path.name}.{channel}-{self.key & 0xFFFFFFFF:08x}.poll") \
            if sqlite_path is not None else None
        self._conn: AsyncConnection | None = None
        self._fd: int | None = None

    async def take(self) -> None:
        if self.path is not None:
            self._take_file()
            return
        conn = await self.db.connect()
        try:
            taken = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar()
            await conn.commit()
        except BaseException:
            await conn.close()
            raise
        if not taken:
            await conn.close()
            raise LeaseTaken(self.channel)
        self._conn = conn

    def _take_file(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LeaseTaken(self.channel) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    async def held(self) -> bool:
        """Whether the lease is still this process's (a PostgreSQL connection may have been lost)."""
        if self._fd is not None:
            return True
        if self._conn is None:
            return False
        try:  # a session's advisory lock lasts as long as the session: an open connection holds it
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
        except Exception:  # noqa: BLE001 - the connection is gone, and the lock with it
            return False
        return True

    async def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            try:  # the connection goes back to the pool: the session's lock must end first
                await self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
                await self._conn.commit()
                await self._conn.close()
            except Exception:  # noqa: BLE001 - a connection that cannot unlock is thrown away, lock and all
                log.debug("unlocking the polling lease failed", exc_info=True)
                await self._conn.invalidate()
            self._conn = None


def polling_channels(app: Any) -> dict[str, str]:
    """channel name -> bot token, for the channels of this app that poll (no webhook URL)."""
    s, out = app.settings, {}
    if "telegram" in app.channels and not s.telegram_webhook_url and s.telegram_bot_token:
        out["telegram"] = s.telegram_bot_token.get_secret_value()
    if "zalo" in app.channels and not s.zalo_webhook_url and s.zalo_bot_token:
        out["zalo"] = s.zalo_bot_token.get_secret_value()
    return out


async def take_polling_leases(app: Any) -> list[PollingLease]:
    """Take the lease of every bot this app polls; LeaseTaken (after releasing any taken) if one is held."""
    leases: list[PollingLease] = []
    try:
        for channel, token in polling_channels(app).items():
            lease = PollingLease(app.db, app.settings.sqlite_path(), channel, token)
            await lease.take()
            leases.append(lease)
    except BaseException:
        for lease in leases:
            await lease.release()
        raise
    if leases:
        app.jobs.append(_watch(app, leases))
    return leases


def _watch(app: Any, leases: list[PollingLease]):
    """A job that stops a channel's polling if its lease was lost (PostgreSQL went away meanwhile)."""

    async def watch_polling_leases(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), CHECK_EVERY)
                break
            except TimeoutError:
                pass
            for lease in list(leases):
                if not await lease.held():
                    log.error("%s: the polling lease was lost (database connection closed); polling stops "
                              "so that two processes never poll one bot; restart this process", lease.channel)
                    leases.remove(lease)
                    await app.channels[lease.channel].stop()
        for lease in leases:
            await lease.release()

    return watch_polling_leases

"""Broadcast throughput: enqueue 100,000 recipients, then deliver them to an in-memory sender, limits lifted.

Bars: enqueue under 5 s; delivery at least 2,000 per second on one core. Prints wall time, rate and
CPU time per delivery (time.process_time), on SQLite and, when TEST_DATABASE_URL or DATABASE_URL
names PostgreSQL, on a throw-away PostgreSQL database as well.

    .venv/bin/python bench/broadcast.py [--recipients 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

import db.models  # noqa: E402, F401
import db.models.outbox  # noqa: E402, F401
from db.base import Base, make_engine, make_sessionmaker  # noqa: E402
from db.models.core import User  # noqa: E402
from flows.announcements import outbox  # noqa: E402
from flows.announcements.ratelimit import Limits  # noqa: E402
from flows.announcements.worker import Worker, WorkerConfig  # noqa: E402
from flows.join.scope import Scope  # noqa: E402


class MemorySender:
    """Accepts every message at once and counts them."""

    def __init__(self) -> None:
        self.count = 0

    async def send(self, external_id: str, text: str) -> None:
        self.count += 1


async def _users(sessionmaker, n: int) -> None:
    async with sessionmaker() as session, session.begin():
        for start in range(0, n, 10_000):
            rows = [
                {"channel": "telegram", "external_id": str(1_000_000 + i), "province_code": 1, "commune_code": 70,
                 "role": "nong_dan", "announcements": True, "blocked": False}
                for i in range(start, min(n, start + 10_000))
            ]
            await session.execute(insert(User), rows)


async def run(url: str, label: str, n: int) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessionmaker = make_sessionmaker(engine)
    await _users(sessionmaker, n)

    wall, cpu = time.perf_counter(), time.process_time()
    async with sessionmaker() as session, session.begin():
        announcement = await outbox.create_announcement(
            session, None, Scope("country"), "Thông báo thử", {"kind": "everyone"}
        )
    enqueue_wall, enqueue_cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert announcement.recipients == n

    sender = MemorySender()
    worker = Worker(sessionmaker, {"telegram": sender}, Limits.unlimited(), "bench",
                    config=WorkerConfig(batch_size=1000, concurrency=256))
    wall, cpu = time.perf_counter(), time.process_time()
    await worker.run_until_idle(600)
    deliver_wall, deliver_cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert sender.count == n == worker.counters.sent
    await engine.dispose()

    print(f"{label}: enqueue {n:,} recipients in {enqueue_wall:.2f} s (cpu {enqueue_cpu:.2f} s; bar < 5 s)")
    print(f"{label}: delivered {n:,} in {deliver_wall:.2f} s = {n / deliver_wall:,.0f}/s (bar >= 2,000/s); "
          f"cpu {deliver_cpu / n * 1e6:.0f} µs per delivery")


async def _pg_database(base_url: str) -> tuple[str, str]:
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    name = f"htxbot_bench_{uuid.uuid4().hex[:8]}"
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False), name


async def _drop_pg(base_url: str, name: str) -> None:
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await run(f"sqlite+aiosqlite:///{tmp}/bench.db", "sqlite", n)
    pg = next((u for u in (os.environ.get("TEST_DATABASE_URL"), os.environ.get("DATABASE_URL"))
               if u and u.startswith("postgresql")), None)
    if pg is None:
        print("postgresql: skipped (set TEST_DATABASE_URL or DATABASE_URL to a postgresql+asyncpg:// URL)")
        return
    url, name = await _pg_database(pg)
    try:
        await run(url, "postgresql", n)
    finally:
        await _drop_pg(pg, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().recipients))

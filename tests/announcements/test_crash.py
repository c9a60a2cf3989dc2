"""Durability: a worker killed with kill -9 mid-broadcast loses nothing, and two workers never send twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.base import utcnow
from db.models.outbox import Delivery
from flows.announcements import outbox
from flows.announcements.outbox import Progress
from flows.announcements.ratelimit import Limits
from flows.announcements.worker import Worker, WorkerConfig
from flows.join.scope import Scope
from tests.announcements.deliver import FileSender
from tests.announcements.helpers import HANOI, add_many

ROOT = Path(__file__).resolve().parents[2]


async def enqueue(sessionmaker, n: int) -> int:
    async with sessionmaker() as session, session.begin():
        await add_many(session, n)
    async with sessionmaker() as session, session.begin():
        announcement = await outbox.create_announcement(session, None, Scope("province", HANOI), "Tin", {"kind": "everyone"})
    return announcement.id


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.announcements.deliver", *args, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


async def wait_for(predicate, seconds: float) -> None:
    for _ in range(int(seconds * 100)):  # bounded polling, 10 ms steps
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def test_a_worker_killed_mid_broadcast_loses_nothing_and_resends_at_most_its_in_flight(
    database_url, sessionmaker, tmp_path
):
    n = 3000
    announcement_id = await enqueue(sessionmaker, n)
    out = tmp_path / "sent.txt"
    proc = await spawn(database_url, str(out), "doomed", "--rate", "1000")
    try:
        await wait_for(lambda: len(lines(out)) >= 600, 60)
    finally:
        proc.kill()  # SIGKILL: no cleanup, no release of claims
        await proc.wait()
    before = lines(out)
    assert len(before) < n, "killed mid-broadcast"
    async with sessionmaker() as session:
        in_flight = (
            await session.execute(select(func.count()).where(Delivery.status == "sending", Delivery.claimed_by == "doomed"))
        ).scalar_one()
        recorded = (await session.execute(select(func.count()).where(Delivery.status == "sent"))).scalar_one()
    lease = 60.0
    later = lambda: utcnow() + dt.timedelta(seconds=lease + 1)  # noqa: E731  (the lease has run out)
    worker = Worker(sessionmaker, {"telegram": FileSender(str(out))}, Limits.unlimited(), "heir",
                    config=WorkerConfig(lease_seconds=lease), clock=later)
    await worker.run_until_idle(60)
    after = lines(out)
    duplicates = len(after) - len(set(after))
    print(f"\n[crash] sent before kill {len(before)}, recorded sent {recorded}, claimed in flight {in_flight}, "
          f"duplicates after recovery {duplicates}")
    assert set(after) == {f"u{i}" for i in range(n)}, "every recipient got it at least once"
    assert duplicates <= in_flight
    assert max(Counter(after).values()) <= 2
    async with sessionmaker() as session:
        assert await outbox.progress(session, announcement_id) == Progress(total=n, sent=n)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL: set TEST_DATABASE_URL")
async def test_two_worker_processes_on_postgresql_share_10000_messages_without_duplicates_or_losses(
    database_url, sessionmaker, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several worker processes need PostgreSQL (SKIP LOCKED); SQLite runs one worker")
    n = 10_000
    announcement_id = await enqueue(sessionmaker, n)
    go = tmp_path / "go"
    procs, outs = [], []
    for name in ("a", "b"):
        outs.append(tmp_path / f"{name}.txt")
        procs.append(await spawn(database_url, str(outs[-1]), f"worker-{name}", "--rate", "2000",
                                 "--ready", str(tmp_path / f"{name}.ready"), "--go", str(go)))
    await wait_for(lambda: all((tmp_path / f"{x}.ready").exists() for x in "ab"), 60)
    go.write_text("go")
    for proc in procs:
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()[-2000:]
    per_worker = [lines(out) for out in outs]
    everything = per_worker[0] + per_worker[1]
    print(f"\n[two workers] a sent {len(per_worker[0])}, b sent {len(per_worker[1])}")
    assert len(everything) == n and set(everything) == {f"u{i}" for i in range(n)}
    assert all(per_worker), "both processes took part"
    async with sessionmaker() as session:
        assert await outbox.progress(session, announcement_id) == Progress(total=n, sent=n)

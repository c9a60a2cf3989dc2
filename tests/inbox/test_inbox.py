"""The inbox as a work queue: rows nobody holds are taken over in order, never by two processes at
once; a row that keeps failing is given up; old rows are purged (bot/inbox/)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select, update

from bot.inbox import MAX_ATTEMPTS, RETENTION, Inbox, Work, store
from db.base import utcnow
from db.models import InboxItem
from flows.engine.messages import Incoming, Reply


class Listener:
    """A channel that reads stored updates {"user", "text"} and keeps what the bot answered."""

    def __init__(self) -> None:
        self.heard: dict[str, list[str]] = {}

    def read(self, payload: dict) -> Work:
        async def deliver(replies: list[Reply]) -> None:
            self.heard.setdefault(payload["user"], []).extend(r.text for r in replies)

        return Work(Incoming("test", payload["user"], text=payload["text"], message_id=payload["id"]), deliver)


async def _left_in_table(engine, updates: list[tuple[str, dict]], worker: str | None = None) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(store.add, "test", updates, worker, utcnow())


async def _statuses(sessionmaker) -> list[str]:
    async with sessionmaker() as session:
        return list((await session.execute(select(InboxItem.status).order_by(InboxItem.id))).scalars())


async def _drain_until_done(inbox: Inbox, sessionmaker) -> None:
    stop = asyncio.Event()
    job = asyncio.create_task(inbox.run(stop))
    try:
        for _ in range(200):  # bounded
            if set(await _statuses(sessionmaker)) <= {"done", "failed"}:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(job, 30)


async def test_updates_left_by_a_dead_process_are_answered_in_order(engine, bot_engine, sessionmaker):
    said = ["/start", "chu nhiem", "can tho"]
    await _left_in_table(engine, [(f"k{i}", {"user": "9", "text": t, "id": f"m{i}"}) for i, t in enumerate(said)],
                         worker="dead-process")
    async with sessionmaker() as session:  # its lease ran out long ago
        await session.execute(update(InboxItem).values(claimed_at=utcnow() - dt.timedelta(hours=1)))
        await session.commit()
    listener = Listener()
    inbox = Inbox(bot_engine, lease_seconds=30)
    inbox.register("test", listener.read)
    await _drain_until_done(inbox, sessionmaker)
    heard = "\n".join(listener.heard["9"])
    assert heard.index("Bạn là ai") < heard.index("tỉnh/thành phố nào") < heard.index("xã/phường nào")
    assert await _statuses(sessionmaker) == ["done"] * 3


async def test_a_row_held_by_a_live_process_is_left_alone(engine, bot_engine, sessionmaker):
    await _left_in_table(engine, [("k1", {"user": "8", "text": "/start", "id": "m1"})], worker="alive")
    listener = Listener()
    inbox = Inbox(bot_engine, lease_seconds=30)
    inbox.register("test", listener.read)
    assert await inbox.drain_once() == []
    assert listener.heard == {} and await _statuses(sessionmaker) == ["pending"]


async def test_two_processes_never_take_the_same_row(engine):
    await _left_in_table(engine, [(f"k{i}", {"user": str(i), "text": "x", "id": str(i)}) for i in range(60)])

    async def claim(worker: str) -> set[int]:
        async with engine.begin() as conn:
            rows = await conn.run_sync(store.claim, worker, ["test"], utcnow(), dt.timedelta(seconds=30), 40,
                                       MAX_ATTEMPTS)
            await asyncio.sleep(0.2)  # hold the claim open while the other process claims
        return {r.id for r in rows}

    first, second = await asyncio.gather(claim("a"), claim("b"))
    assert not first & second
    assert len(first | second) == 60


async def test_a_row_taken_up_too_often_is_given_up_and_kept_for_an_operator(engine, bot_engine, sessionmaker):
    await _left_in_table(engine, [("k1", {"user": "7", "text": "/start", "id": "m1"})], worker="crashing")
    async with sessionmaker() as session:
        await session.execute(update(InboxItem).values(attempts=MAX_ATTEMPTS,
                                                       claimed_at=utcnow() - dt.timedelta(hours=1)))
        await session.commit()
    listener = Listener()
    inbox = Inbox(bot_engine)
    inbox.register("test", listener.read)
    await inbox.drain_once()
    assert listener.heard == {}
    async with sessionmaker() as session:
        row = (await session.execute(select(InboxItem))).scalar_one()
    assert row.status == "failed" and row.payload == {"user": "7", "text": "/start", "id": "m1"}


async def test_rows_older_than_the_retention_are_purged(engine):
    await _left_in_table(engine, [("old", {"user": "1", "text": "a", "id": "1"}),
                                  ("new", {"user": "1", "text": "b", "id": "2"})])
    async with engine.begin() as conn:
        await conn.execute(update(InboxItem).where(InboxItem.update_key == "old")
                           .values(received_at=utcnow() - RETENTION - dt.timedelta(minutes=1)))
        assert await conn.run_sync(store.purge, utcnow() - RETENTION) == 1
        assert list((await conn.execute(select(InboxItem.update_key))).scalars()) == ["new"]

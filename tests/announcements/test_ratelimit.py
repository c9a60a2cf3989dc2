"""Pacing arithmetic: token buckets per channel, one message per chat per interval, 429 pauses."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from bot.settings import Settings
from flows.announcements import claims
from flows.announcements.ratelimit import TELEGRAM_PAID, ChannelLimit, Lane, Limits, TokenBucket
from flows.announcements.worker import Worker, WorkerConfig
from tests.announcements.helpers import RecordingSender
from tests.announcements.test_worker import announce


@dataclass
class Msg:
    chat: str


def sends_in(lane: Lane, start: float, seconds: float, step: float = 0.001) -> list[tuple[float, str]]:
    """Drive a lane with a simulated clock; returns (time, chat) of each send."""
    out, now = [], start
    for _ in range(int(seconds / step)):
        while True:
            wait, item = lane.ready(now)
            if item is None or wait > 0:
                break
            lane.take(item, now)
            out.append((now, item.chat))
        now += step
    return out


def test_a_bucket_of_30_per_second_lets_30_through_in_a_second():
    bucket, sent, now = TokenBucket(30, burst=1, now=0.0), 0, 0.0
    for _ in range(1000):
        if bucket.wait(now) == 0:
            bucket.take(now)
            sent += 1
        now += 0.001
    assert sent in (30, 31)


def test_a_429_pauses_the_bucket_for_retry_after_without_a_burst_afterwards():
    bucket = TokenBucket(10, burst=5, now=0.0)
    bucket.pause(0.0, 2.0)
    assert bucket.wait(1.0) == 1.0
    assert bucket.wait(2.0) > 0, "no tokens were saved up during the pause"
    assert bucket.wait(2.1) == 0


def test_one_chat_waits_aside_while_others_go():
    lane = Lane(ChannelLimit(per_second=None, per_chat_seconds=1.0), now=0.0)
    for chat in ["a", "a", "b", "a", "c"]:
        lane.push(Msg(chat))
    sent = sends_in(lane, 0.0, 2.5)
    assert [chat for _, chat in sent] == ["a", "b", "c", "a", "a"]
    times = {chat: [t for t, c in sent if c == chat] for chat in "abc"}
    assert times["a"][1] - times["a"][0] >= 1.0 and times["a"][2] - times["a"][1] >= 1.0
    assert len(lane) == 0


def test_telegram_limits_come_from_the_settings():
    limits = Limits.from_settings(Settings(telegram_rate_per_second=25, telegram_rate_per_chat=0.5))
    assert limits.of("telegram") == ChannelLimit(per_second=25, burst=1, per_chat_seconds=2.0)
    paid = Limits.from_settings(Settings(telegram_paid_broadcast=True))
    assert paid.of("telegram").per_second == TELEGRAM_PAID.per_second == 1000
    assert limits.of("zalo") == Limits().default


async def test_a_live_worker_keeps_its_claims_past_the_lease(sessionmaker):
    await announce(sessionmaker, 8)
    lease = 0.3
    limits = Limits(channels={"telegram": ChannelLimit(per_second=8, per_chat_seconds=0)})  # ~1 s for 8: > lease
    worker = Worker(sessionmaker, {"telegram": RecordingSender()}, limits, "slow",
                    config=WorkerConfig(lease_seconds=lease, poll_seconds=0.05))
    task = asyncio.create_task(worker.run_until_idle(30))
    stolen = 0
    for _ in range(40):  # another worker looking for dead claims every 50 ms, bounded
        if task.done():
            break
        async with sessionmaker() as session, session.begin():
            stolen += await claims.reclaim_stale(session, claims.aware(dt.datetime.now(dt.UTC)), dt.timedelta(seconds=lease))
        await asyncio.sleep(0.05)
    counters = await task
    assert counters.sent == 8 and stolen == 0

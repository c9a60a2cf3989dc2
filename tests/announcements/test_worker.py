"""Delivery as the users and the sender see it: every recipient once, errors handled per their kind."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from db.models.core import User
from db.models.outbox import Announcement, Delivery
from flows.announcements import outbox
from flows.announcements.outbox import Progress
from flows.announcements.ratelimit import ChannelLimit, Limits
from flows.announcements.worker import Worker, WorkerConfig
from flows.engine.delivery import PermanentError, RecipientGone, RetryLater, TransientError
from flows.join.scope import Scope
from tests.announcements.helpers import HANOI, FrozenClock, RecordingSender, add_many

SCOPE = Scope("province", HANOI)
FAST = WorkerConfig(backoff_seconds=0.01, max_attempts=3, poll_seconds=0.05, cancel_check_seconds=0.0)


async def announce(sessionmaker, n=10, text="Họp thành viên", **kwargs):
    async with sessionmaker() as session, session.begin():
        await add_many(session, n)
    async with sessionmaker() as session, session.begin():
        return await outbox.create_announcement(session, None, SCOPE, text, {"kind": "everyone"}, **kwargs)


async def deliveries(sessionmaker, announcement_id):
    async with sessionmaker() as session:
        rows = await session.execute(select(Delivery).where(Delivery.announcement_id == announcement_id))
        return {d.external_id: d for d in rows.scalars()}


def worker(sessionmaker, sender, limits=None, config=FAST, **kwargs):
    return Worker(sessionmaker, {"telegram": sender}, limits or Limits.unlimited(), "w1", config=config, **kwargs)


async def test_every_recipient_receives_the_text_with_the_footer_once(sessionmaker):
    announcement = await announce(sessionmaker, 25, "Giá lúa hôm nay")
    sender = RecordingSender()
    reports = []
    counters = await worker(sessionmaker, sender, on_progress=lambda aid, p: reports.append((aid, p))).run_until_idle(30)
    assert sorted(sender.recipients()) == sorted(f"u{i}" for i in range(25))
    assert all(text.startswith("Giá lúa hôm nay") and "/tatthongbao" in text for _, _, text in sender.sent)
    assert counters.sent == 25
    assert reports[-1] == (announcement.id, Progress(total=25, sent=25))
    async with sessionmaker() as session:
        assert (await session.get(Announcement, announcement.id)).status == "done"
        assert await outbox.progress(session, announcement.id) == Progress(total=25, sent=25)
    assert {d.attempts for d in (await deliveries(sessionmaker, announcement.id)).values()} == {1}


async def test_a_429_waits_retry_after_and_is_not_counted_as_an_attempt(sessionmaker):
    announcement = await announce(sessionmaker, 5)
    sender = RecordingSender(fail=lambda uid, call: RetryLater(0.2) if uid == "u2" and call == 1 else None)
    limits = Limits(channels={"telegram": ChannelLimit(per_second=None, per_chat_seconds=0)})
    counters = await worker(sessionmaker, sender, limits, config=WorkerConfig(concurrency=1)).run_until_idle(30)
    rows = await deliveries(sessionmaker, announcement.id)
    assert rows["u2"].status == "sent" and rows["u2"].attempts == 1
    assert counters.rate_limited == 1 and counters.sent == 5
    order = sender.recipients()
    assert order.index("u2") == 2, "the rate-limited message goes first after the pause"
    times = [t for _, t, _ in sender.sent]
    assert times[2] - times[1] >= 0.2 - 0.02, "the channel paused for retry_after"


async def test_a_user_who_blocked_the_bot_is_marked_blocked_and_never_retried(sessionmaker):
    announcement = await announce(sessionmaker, 4)
    sender = RecordingSender(fail=lambda uid, call: RecipientGone("403 bot was blocked") if uid == "u1" else None)
    await worker(sessionmaker, sender).run_until_idle(30)
    rows = await deliveries(sessionmaker, announcement.id)
    assert rows["u1"].status == "blocked" and sender.calls["u1"] == 1
    async with sessionmaker() as session:
        blocked = (await session.execute(select(User.external_id).where(User.blocked))).scalars().all()
        assert blocked == ["u1"]
        assert await outbox.progress(session, announcement.id) == Progress(total=4, sent=3, blocked=1)


async def test_server_errors_are_retried_with_backoff_then_failed_after_the_limit(sessionmaker):
    announcement = await announce(sessionmaker, 3)

    def fail(uid, call):
        if uid == "u0":
            return TransientError("500")
        if uid == "u1" and call <= 2:
            return TransientError("timeout")
        return None

    sender = RecordingSender(fail=fail)
    counters = await worker(sessionmaker, sender).run_until_idle(30)
    rows = await deliveries(sessionmaker, announcement.id)
    assert (rows["u0"].status, rows["u0"].attempts, sender.calls["u0"]) == ("failed", 3, 3)
    assert "500" in rows["u0"].last_error
    assert (rows["u1"].status, rows["u1"].attempts, sender.calls["u1"]) == ("sent", 3, 3)
    assert counters.retried == 4 and counters.failed == 1


async def test_a_bad_request_fails_at_once(sessionmaker):
    announcement = await announce(sessionmaker, 2)
    sender = RecordingSender(fail=lambda uid, call: PermanentError("400 chat not found") if uid == "u0" else None)
    await worker(sessionmaker, sender).run_until_idle(30)
    rows = await deliveries(sessionmaker, announcement.id)
    assert (rows["u0"].status, rows["u0"].attempts, sender.calls["u0"]) == ("failed", 1, 1)


async def test_cancel_stops_the_rest_of_a_running_broadcast(sessionmaker):
    announcement = await announce(sessionmaker, 40)
    concurrency = 2

    async def cancel_after_five(external_id):
        if len(sender.sent) == 5:
            async with sessionmaker() as session, session.begin():
                await outbox.cancel(session, announcement.id)

    sender = RecordingSender(on_send=cancel_after_five)
    # 20/s: 50 ms between sends, far longer than the worker takes to notice the cancel (one database round)
    limits = Limits(channels={"telegram": ChannelLimit(per_second=20, per_chat_seconds=0)})
    config = WorkerConfig(concurrency=concurrency, cancel_check_seconds=0.0, poll_seconds=0.05)
    counters = await worker(sessionmaker, sender, limits, config).run_until_idle(30)
    assert 5 <= len(sender.sent) <= 5 + concurrency, "at most the sends already in flight go out after a cancel"
    async with sessionmaker() as session:
        progress = await outbox.progress(session, announcement.id)
        assert progress.sent == len(sender.sent) and progress.remaining == 0
        assert progress.cancelled == 40 - len(sender.sent)
        assert (await session.get(Announcement, announcement.id)).status == "cancelled"
    assert counters.skipped > 0


async def test_a_scheduled_announcement_is_not_sent_before_its_time(sessionmaker):
    clock = FrozenClock(dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC))
    announcement = await announce(sessionmaker, 3, scheduled_at=dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC), now=clock.now)
    sender = RecordingSender()
    w = worker(sessionmaker, sender, clock=clock)
    await w.run_until_idle(30)
    clock.advance(minutes=59, seconds=59)
    await w.run_until_idle(30)
    assert sender.sent == []
    async with sessionmaker() as session:
        assert (await session.get(Announcement, announcement.id)).status == "scheduled"
    clock.advance(seconds=1)
    await w.run_until_idle(30)
    assert sorted(sender.recipients()) == ["u0", "u1", "u2"]
    async with sessionmaker() as session:
        assert (await session.get(Announcement, announcement.id)).status == "done"


async def test_no_chat_gets_two_messages_closer_than_the_per_chat_interval(sessionmaker):
    interval, overall = 0.2, 40.0
    for n in range(3):  # three announcements to the same five chats
        async with sessionmaker() as session, session.begin():
            if n == 0:
                await add_many(session, 5)
            await outbox.create_announcement(session, None, SCOPE, f"Tin {n}", {"kind": "everyone"})
    sender = RecordingSender()
    limits = Limits(channels={"telegram": ChannelLimit(per_second=overall, per_chat_seconds=interval)})
    await worker(sessionmaker, sender, limits).run_until_idle(30)
    assert len(sender.sent) == 15
    by_chat: dict[str, list[float]] = {}
    for uid, t, _ in sender.sent:
        by_chat.setdefault(uid, []).append(t)
    gaps = [b - a for times in by_chat.values() for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 10 and min(gaps) >= interval - 0.02
    times = sorted(t for _, t, _ in sender.sent)
    overall_gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(overall_gaps) >= 1 / overall - 0.01, "burst 1: sends are spaced by the overall rate"


async def test_run_forever_stops_on_request_and_hands_back_unsent_claims(sessionmaker):
    announcement = await announce(sessionmaker, 30)
    sender = RecordingSender()
    stop = asyncio.Event()
    limits = Limits(channels={"telegram": ChannelLimit(per_second=50, per_chat_seconds=0)})
    task = asyncio.create_task(worker(sessionmaker, sender, limits).run_forever(stop))
    for _ in range(200):  # bounded: 200 x 10 ms
        if len(sender.sent) >= 5:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 10)
    rows = await deliveries(sessionmaker, announcement.id)
    assert {d.status for d in rows.values()} == {"sent", "pending"}
    assert sum(d.status == "sent" for d in rows.values()) == len(sender.sent) < 30
    assert all(d.claimed_by is None for d in rows.values() if d.status == "pending")
    assert all(d.claimed_by == "w1" for d in rows.values() if d.status == "sent"), "a sent row says who sent it"

"""Reminders reach heads of silent cooperatives once per kind and period, whatever restarts or runs at once."""

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

from sqlalchemy import select

from db.base import make_engine, make_sessionmaker
from db.models.core import User
from db.models.registry import Cooperative, ReminderSent
from flows.engine.delivery import RecipientGone, TransientError
from flows.join.coops import link_reporter
from flows.monthly_report.reminders import ReminderSettings, due_reminders, send_reminders
from flows.monthly_report.reports import submit
from tests.registry import world

ROOT = Path(__file__).resolve().parents[2]
DAY_5, DAY_10 = dt.date(2026, 11, 5), dt.date(2026, 11, 10)


class Outbox:
    """A send callable that records (user id, text) and yields to other tasks while 'sending'."""

    def __init__(self, fail: dict[int, Exception] | None = None):
        self.sent: list[tuple[int, str]] = []
        self.fail = fail or {}

    async def __call__(self, user, text):
        await asyncio.sleep(0.01)
        if user.id in self.fail:
            raise self.fail[user.id]
        self.sent.append((user.id, text))


async def _setup(sessionmaker):
    """Three cooperatives: one silent with a head and a deputy, one that reported, one whose head muted reminders."""
    async with sessionmaker() as session:
        silent = await world.coop(session, "HTX Im Lặng")
        head = await world.head_of(session, silent)
        deputy = await world.user(session)
        await link_reporter(session, deputy.id, silent.id, "deputy")
        done = await world.coop(session, "HTX Đã Gửi")
        done_head = await world.head_of(session, done)
        await submit(session, done_head, done, world.answers(period="2026-10"))
        muted = await world.coop(session, "HTX Tắt Nhắc")
        muted_head = await world.head_of(session, muted, reminders=False)
        await session.commit()
        return head.id, deputy.id, done_head.id, muted_head.id


async def test_nothing_is_due_before_the_first_day(sessionmaker):
    await _setup(sessionmaker)
    async with sessionmaker() as session:
        assert await due_reminders(session, dt.date(2026, 11, 4), ReminderSettings()) == []


async def test_only_the_silent_cooperatives_head_gets_the_first_reminder_even_when_run_twice(sessionmaker):
    head, deputy, done_head, muted_head = await _setup(sessionmaker)
    outbox = Outbox()
    first = await send_reminders(sessionmaker, DAY_5, outbox)
    again = await send_reminders(sessionmaker, DAY_5, outbox)
    assert (first.claimed, first.sent, again.claimed, again.sent) == (1, 1, 0, 0)
    [(user_id, text)] = outbox.sent
    assert user_id == head and user_id not in (deputy, done_head, muted_head) and "HTX Im Lặng" in text and "10/2026" in text and "10/11/2026" in text


async def test_the_second_reminder_comes_once_after_the_given_days(sessionmaker):
    head, *_ = await _setup(sessionmaker)
    outbox = Outbox()
    await send_reminders(sessionmaker, DAY_5, outbox)
    await send_reminders(sessionmaker, dt.date(2026, 11, 9), outbox)
    await send_reminders(sessionmaker, DAY_10, outbox)
    await send_reminders(sessionmaker, dt.date(2026, 11, 12), outbox)
    assert [u for u, _ in outbox.sent] == [head, head]
    assert "Nhắc lại" in outbox.sent[1][1]
    async with sessionmaker() as session:
        kinds = (await session.scalars(select(ReminderSent.kind).order_by(ReminderSent.id))).all()
    assert kinds == ["first", "second"]


async def test_a_report_sent_in_between_stops_the_second_reminder(sessionmaker):
    await _setup(sessionmaker)
    outbox = Outbox()
    await send_reminders(sessionmaker, DAY_5, outbox)
    async with sessionmaker() as session:
        coop = await session.scalar(select(Cooperative).where(Cooperative.name == "HTX Im Lặng"))
        head = await session.get(User, outbox.sent[0][0])
        await submit(session, head, coop, world.answers(period="2026-10"))
        await session.commit()
    second = await send_reminders(sessionmaker, DAY_10, outbox)
    assert second.claimed == 0 and len(outbox.sent) == 1


async def test_a_user_who_blocked_the_bot_is_marked_and_a_passing_fault_is_retried_later(sessionmaker):
    head, *_ = await _setup(sessionmaker)
    flaky = Outbox(fail={head: TransientError("timeout")})
    summary = await send_reminders(sessionmaker, DAY_5, flaky)
    assert (summary.claimed, summary.sent, summary.released) == (1, 0, 1)
    retry = Outbox()
    assert (await send_reminders(sessionmaker, DAY_5, retry)).sent == 1

    async with sessionmaker() as session:
        await session.execute(ReminderSent.__table__.delete())
        await session.commit()
    gone = await send_reminders(sessionmaker, DAY_5, Outbox(fail={head: RecipientGone()}))
    assert (gone.sent, gone.released) == (0, 0)
    async with sessionmaker() as session:
        assert (await session.get(User, head)).blocked is True
        assert await due_reminders(session, DAY_10) == []


async def test_two_processes_at_once_send_each_reminder_exactly_once(database_url, engine):
    """Two engines (separate pools, as two processes would have) race on many cooperatives."""
    base = make_sessionmaker(engine)
    async with base() as session:
        heads = []
        for n in range(12):
            htx = await world.coop(session, f"HTX Số {n}")
            heads.append((await world.head_of(session, htx)).id)
        await session.commit()
    other = make_engine(database_url)
    try:
        a, b = Outbox(), Outbox()
        await asyncio.wait_for(asyncio.gather(
            send_reminders(base, DAY_5, a), send_reminders(make_sessionmaker(other), DAY_5, b)), timeout=60)
    finally:
        await other.dispose()
    everyone = sorted(u for u, _ in a.sent + b.sent)
    assert everyone == sorted(heads)
    async with base() as session:
        assert len((await session.scalars(select(ReminderSent))).all()) == 12


async def test_two_real_subprocesses_send_each_reminder_exactly_once(database_url, engine):
    base = make_sessionmaker(engine)
    async with base() as session:
        heads = []
        for n in range(8):
            htx = await world.coop(session, f"HTX Tiến Trình {n}")
            heads.append((await world.head_of(session, htx)).id)
        await session.commit()
    command = [sys.executable, "-m", "tests.registry.remind_once", database_url, DAY_5.isoformat()]
    procs = [await asyncio.create_subprocess_exec(*command, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
                                                  stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    outputs = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, err.decode()
        outputs.append(json.loads(out))
    sent = sorted(user_id for output in outputs for user_id, _ in output)
    assert sent == sorted(heads)

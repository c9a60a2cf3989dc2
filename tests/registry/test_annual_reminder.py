"""Before the annual update (no later than 15/12, Thông tư 09/2024/TT-BKHĐT, Điều 6), each cooperative's
heads are reminded once a year, claimed in reminders_sent like the monthly reminders."""

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from db.base import make_engine, make_sessionmaker
from db.models.registry import ReminderSent
from flows.join.coops import link_reporter
from flows.monthly_report.reminders import ReminderSettings, due_annual, send_reminders
from flows.monthly_report.reports import submit
from tests.registry import world
from tests.registry.test_reminders import Outbox

DEC_1, DEC_15 = dt.date(2026, 12, 1), dt.date(2026, 12, 15)


def annual(outbox: Outbox) -> list[tuple[int, str]]:
    """The annual reminders among what was sent (December also brings the monthly ones)."""
    return [(user, text) for user, text in outbox.sent if "Hệ thống thông tin quốc gia về hợp tác xã" in text]


async def _setup(sessionmaker):
    """An HTX with a head and a deputy, a tổ hợp tác that sent its monthly update, and an HTX whose head
    muted reminders; returns the heads who should hear, the deputy and the muted head."""
    async with sessionmaker() as session:
        htx = await world.coop(session, "HTX Đồng Tâm")
        head = await world.head_of(session, htx)
        deputy = await world.user(session)
        await link_reporter(session, deputy.id, htx.id, "deputy")
        tht = await world.coop(session, "Tổ hợp tác Rau Sạch", form="to_hop_tac")
        tht_head = await world.head_of(session, tht)
        await submit(session, tht_head, tht, world.answers(period="2026-11"))
        muted = await world.coop(session, "HTX Tắt Nhắc")
        muted_head = await world.head_of(session, muted, reminders=False)
        await session.commit()
        return {head.id, tht_head.id}, deputy.id, muted_head.id


@pytest.mark.parametrize("day", ["2026-11-16", "2026-11-30", "2026-12-16", "2026-12-31", "2027-01-05"])
async def test_nothing_is_sent_outside_the_window(sessionmaker, day):
    await _setup(sessionmaker)
    outbox = Outbox()
    await send_reminders(sessionmaker, dt.date.fromisoformat(day), outbox)
    assert annual(outbox) == []
    async with sessionmaker() as session:
        assert await session.scalar(select(ReminderSent.id).where(ReminderSent.kind == "annual")) is None


async def test_each_cooperative_s_head_is_reminded_once_even_when_the_job_runs_twice(sessionmaker):
    heads, deputy, muted = await _setup(sessionmaker)
    outbox = Outbox()
    first = await send_reminders(sessionmaker, DEC_1, outbox)
    again = await send_reminders(sessionmaker, DEC_1, outbox)
    later = await send_reminders(sessionmaker, dt.date(2026, 12, 10), outbox)
    sent = annual(outbox)
    assert sorted(user for user, _ in sent) == sorted(heads)
    assert deputy not in {u for u, _ in outbox.sent} and muted not in {u for u, _ in outbox.sent}
    assert first.claimed == 2 and again.claimed == 0
    assert all(kind != "annual" for _, _, kind, _ in later.sent_to)
    async with sessionmaker() as session:
        rows = (await session.scalars(select(ReminderSent).where(ReminderSent.kind == "annual"))).all()
    assert sorted((r.period, r.recipients) for r in rows) == [("2026-12", 1), ("2026-12", 1)]


async def test_the_reminder_names_the_deadline_the_period_and_its_source(sessionmaker):
    await _setup(sessionmaker)
    outbox = Outbox()
    await send_reminders(sessionmaker, DEC_1, outbox)
    texts = {text.split("</b>")[0]: text for _, text in annual(outbox)}
    htx = texts["Chào bạn, hằng năm <b>HTX Đồng Tâm"]
    assert "cập nhật thông tin của hợp tác xã" in htx
    assert "<b>chậm nhất ngày 15/12/2026</b> (còn 14 ngày)" in htx
    assert "Số liệu tính từ ngày 15/12/2025 đến ngày 14/12/2026" in htx
    assert "Thông tư 09/2024/TT-BKHĐT, Điều 6 khoản 1–2" in htx and "nghĩa vụ theo pháp luật" in htx
    assert "thông tin của tổ hợp tác" in texts["Chào bạn, hằng năm <b>Tổ hợp tác Rau Sạch"]


async def test_the_deadline_day_itself_is_in_the_window(sessionmaker):
    await _setup(sessionmaker)
    outbox = Outbox()
    await send_reminders(sessionmaker, DEC_15, outbox)
    assert len(annual(outbox)) == 2 and all("hôm nay là hạn cuối" in text for _, text in annual(outbox))


async def test_the_window_opens_the_given_number_of_days_before_the_deadline(sessionmaker):
    await _setup(sessionmaker)
    async with sessionmaker() as session:
        week = ReminderSettings(annual_days_before=7)
        assert await due_annual(session, dt.date(2026, 12, 7), week) == []
        assert await due_annual(session, dt.date(2026, 12, 8), week) != []
        same_day = ReminderSettings(annual_days_before=0)
        assert await due_annual(session, dt.date(2026, 12, 14), same_day) == []
        assert await due_annual(session, DEC_15, same_day) != []
        assert await due_annual(session, dt.date(2026, 11, 30)) == [] and await due_annual(session, DEC_1) != []


async def test_next_year_brings_the_next_reminder(sessionmaker):
    heads, *_ = await _setup(sessionmaker)
    outbox = Outbox()
    await send_reminders(sessionmaker, DEC_1, outbox)
    await send_reminders(sessionmaker, dt.date(2027, 12, 1), outbox)
    assert sorted(u for u, _ in annual(outbox)) == sorted([*heads, *heads])
    assert sum("15/12/2027" in text for _, text in annual(outbox)) == 2


async def test_the_annual_claim_does_not_touch_the_monthly_ones(sessionmaker):
    async with sessionmaker() as session:
        silent = await world.coop(session, "HTX Im Lặng")
        head = await world.head_of(session, silent)
        await session.commit()
    outbox = Outbox()
    await send_reminders(sessionmaker, dt.date(2026, 12, 5), outbox)  # the monthly first day, in the window
    await send_reminders(sessionmaker, dt.date(2026, 12, 5), outbox)
    assert [u for u, _ in outbox.sent] == [head.id, head.id]
    async with sessionmaker() as session:
        kinds = sorted((await session.scalars(select(ReminderSent.kind))).all())
    assert kinds == ["annual", "first"]


async def test_two_processes_at_once_send_each_annual_reminder_exactly_once(database_url, engine):
    """Two engines (separate pools, as two processes would have) race on many cooperatives."""
    base = make_sessionmaker(engine)
    async with base() as session:
        heads = []
        for n in range(10):
            htx = await world.coop(session, f"HTX Cuối Năm {n}")
            heads.append((await world.head_of(session, htx)).id)
        await session.commit()
    other = make_engine(database_url)
    try:
        a, b = Outbox(), Outbox()
        await asyncio.wait_for(asyncio.gather(
            send_reminders(base, DEC_1, a), send_reminders(make_sessionmaker(other), DEC_1, b)), timeout=60)
    finally:
        await other.dispose()
    assert sorted(u for u, _ in annual(a) + annual(b)) == sorted(heads)
    async with base() as session:
        rows = (await session.scalars(select(ReminderSent).where(ReminderSent.kind == "annual"))).all()
    assert len(rows) == 10

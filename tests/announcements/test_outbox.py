"""Enqueueing an announcement: one delivery row per recipient, written with it; cancel, progress, history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db.models.core import AuditLog
from db.models.outbox import Announcement, Delivery
from flows.announcements import outbox, views
from flows.announcements.audience import AudienceRefused
from flows.announcements.outbox import Progress
from flows.join.scope import Scope
from tests.announcements.helpers import HANOI, HCMC, VUNG_TAU, add_many

HANOI_OFFICIAL = Scope("province", HANOI)


async def test_every_recipient_gets_exactly_one_pending_row(sessionmaker):
    async with sessionmaker() as session, session.begin():
        await add_many(session, 50)
        await add_many(session, 5, province_code=HCMC, commune_code=VUNG_TAU, channel="zalo")
    async with sessionmaker() as session, session.begin():
        announcement = await outbox.create_announcement(
            session, None, HANOI_OFFICIAL, "Họp thành viên lúc 8 giờ.", {"kind": "everyone"}
        )
    assert announcement.recipients == 50 and announcement.status == "sending"
    async with sessionmaker() as session:
        rows = (await session.execute(select(Delivery).where(Delivery.announcement_id == announcement.id))).scalars().all()
        assert len(rows) == 50
        assert len({r.user_id for r in rows}) == 50
        assert {(r.status, r.attempts, r.channel) for r in rows} == {("pending", 0, "telegram")}
        assert await outbox.progress(session, announcement.id) == Progress(total=50, remaining=50)


async def test_a_refused_audience_writes_nothing(sessionmaker):
    async with sessionmaker() as session, session.begin():
        await add_many(session, 3, province_code=HCMC, commune_code=VUNG_TAU)
    async with sessionmaker() as session:
        with pytest.raises(AudienceRefused):
            await outbox.create_announcement(
                session, None, HANOI_OFFICIAL, "Xin chào", {"kind": "province", "province_code": HCMC}
            )
        await session.rollback()
        assert (await session.execute(select(func.count()).select_from(Announcement))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(Delivery))).scalar_one() == 0


async def test_an_announcement_and_its_rows_stand_or_fall_together(sessionmaker):
    async with sessionmaker() as session, session.begin():
        await add_many(session, 20)
    async with sessionmaker() as session:
        await outbox.create_announcement(session, None, HANOI_OFFICIAL, "Xin chào", {"kind": "everyone"})
        await session.rollback()
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(Announcement))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(Delivery))).scalar_one() == 0


async def test_nobody_to_reach_is_done_at_once(sessionmaker):
    async with sessionmaker() as session, session.begin():
        announcement = await outbox.create_announcement(session, None, HANOI_OFFICIAL, "Xin chào", {"kind": "heads"})
    assert announcement.recipients == 0 and announcement.status == "done"


async def test_a_scheduled_announcement_waits_for_its_time(sessionmaker):
    at = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    async with sessionmaker() as session, session.begin():
        await add_many(session, 3)
        announcement = await outbox.create_announcement(
            session, None, HANOI_OFFICIAL, "Mai họp", {"kind": "everyone"}, scheduled_at=at
        )
    assert announcement.status == "scheduled"
    async with sessionmaker() as session:
        times = (await session.execute(select(Delivery.next_attempt_at))).scalars().all()
        assert {t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t for t in times} == {at}


async def test_cancel_turns_what_is_left_into_cancelled(sessionmaker):
    async with sessionmaker() as session, session.begin():
        await add_many(session, 10)
        announcement = await outbox.create_announcement(session, None, HANOI_OFFICIAL, "Xin chào", {"kind": "everyone"})
    async with sessionmaker() as session, session.begin():
        assert await outbox.cancel(session, announcement.id) == 10
    async with sessionmaker() as session:
        assert await outbox.progress(session, announcement.id) == Progress(total=10, cancelled=10)
        assert (await session.get(Announcement, announcement.id)).status == "cancelled"
        audit = (await session.execute(select(AuditLog.action, AuditLog.detail).order_by(AuditLog.id))).all()
        assert [(action, detail.get("recipients", detail.get("cancelled"))) for action, detail in audit] == [
            ("announcement.create", 10),
            ("announcement.cancel", 10),
        ]


async def test_history_lists_the_scopes_announcements_newest_first(sessionmaker):
    async with sessionmaker() as session, session.begin():
        await add_many(session, 4)
        await add_many(session, 2, province_code=HCMC, commune_code=VUNG_TAU, channel="zalo")
    async with sessionmaker() as session, session.begin():
        first = await outbox.create_announcement(session, None, HANOI_OFFICIAL, "Thứ nhất", {"kind": "everyone"})
        second = await outbox.create_announcement(session, None, HANOI_OFFICIAL, "Thứ hai <b>", {"kind": "farmers"})
        await outbox.create_announcement(session, None, Scope("province", HCMC), "TP.HCM", {"kind": "everyone"})
    async with sessionmaker() as session:
        items = await outbox.history(session, HANOI_OFFICIAL)
        assert [a.id for a, _ in items] == [second.id, first.id]
        assert items[0][1] == Progress(total=4, remaining=4)
        assert len(await outbox.history(session, Scope("country"))) == 3
        assert await outbox.history(session, Scope("commune", HCMC, VUNG_TAU)) == []
    text = views.history_text(items)
    assert "Thứ hai &lt;b&gt;" in text and "Nông dân và nhóm sáng lập" in text and "đang gửi" in text


def test_the_message_tells_how_to_stop_and_restart_announcements():
    text = views.message_text("Giá phân bón <giảm>")
    assert text.startswith("Giá phân bón &lt;giảm&gt;")
    assert "/tatthongbao" in text and "/batthongbao" in text


def test_progress_and_summary_read_sent_failed_remaining():
    progress = Progress(total=1200, sent=1000, failed=5, blocked=3, remaining=192)
    text = views.progress_text(progress)
    assert "Đã gửi: 1.000/1.200" in text and "Lỗi: 8" in text and "Còn lại: 192" in text
    done = Announcement(id=1, text="x", audience={"kind": "heads"}, status="done",
                        finished_at=dt.datetime(2026, 11, 22, 3, 5, tzinfo=dt.UTC))
    summary = views.summary_text(done, Progress(total=10, sent=9, blocked=1))
    assert "Đã gửi xong" in summary and "Chủ nhiệm hợp tác xã" in summary and "10:05 ngày 22/11/2026" in summary
    done.status = "cancelled"
    assert "Đã huỷ" in views.summary_text(done, Progress(total=10, sent=2, cancelled=8))

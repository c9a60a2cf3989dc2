"""Conversation logs older than CONVERSATION_LOG_MONTHS are purged once a day, by one process only."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import build_app
from bot.settings import Settings
from bot.wiring import retention as wiring
from db.base import make_engine, make_sessionmaker
from db.models.core import AuditLog, Conversation
from db.models.privacy import JobRun
from flows.my_data.retention import JOB, months_before, purge, run_once
from tests.registry import world

NOW = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 27)
HANOI_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


async def _seed(sessionmaker) -> dict[str, int]:
    """A farmer's funnel events 13 and 11 months old, an anonymous one and an official's sign-in, both old."""
    async with sessionmaker() as s:
        farmer = await world.user(s, "Nông dân")
        official = await world.user(s, "Cán bộ")
        old, recent = NOW - dt.timedelta(days=400), NOW - dt.timedelta(days=330)
        s.add_all([
            AuditLog(user_id=farmer.id, action="founding.started", at=old),
            AuditLog(user_id=farmer.id, action="faq.answered", at=old, detail={"entry": "x"}),
            AuditLog(user_id=farmer.id, action="founding.plan_shown", at=recent),
            AuditLog(user_id=None, action="my_data.erased", at=old),
            AuditLog(user_id=official.id, action="dashboard.signed_in", at=old),
            AuditLog(user_id=official.id, action="dashboard.exported", at=old),
        ])
        await s.commit()
    return {"farmer": farmer.id, "official": official.id}


async def _actions(sessionmaker) -> list[str]:
    async with sessionmaker() as s:
        return sorted((await s.scalars(select(AuditLog.action))).all())


def test_months_are_counted_on_the_calendar():
    assert months_before(NOW, 12) == NOW.replace(year=2025)
    assert months_before(dt.datetime(2026, 3, 31, tzinfo=dt.UTC), 1) == dt.datetime(2026, 2, 28, tzinfo=dt.UTC)
    assert months_before(dt.datetime(2027, 1, 15, tzinfo=dt.UTC), 1) == dt.datetime(2026, 12, 15, tzinfo=dt.UTC)
    assert months_before(dt.datetime(2026, 5, 31, tzinfo=dt.UTC), 15) == dt.datetime(2025, 2, 28, tzinfo=dt.UTC)


async def test_old_logs_of_people_go_and_officials_accountability_stays(sessionmaker):
    await _seed(sessionmaker)
    assert await run_once(sessionmaker, DAY, 12, "test", now=NOW) == 2
    assert await _actions(sessionmaker) == ["dashboard.exported", "dashboard.signed_in", "founding.plan_shown",
                                            "my_data.erased"]


async def test_a_shorter_setting_purges_more(sessionmaker):
    await _seed(sessionmaker)
    assert await run_once(sessionmaker, DAY, 6, "test", now=NOW) == 3
    assert "founding.plan_shown" not in await _actions(sessionmaker)


async def test_the_last_replies_kept_with_an_old_conversation_go_too(sessionmaker):
    kept = {"message_id": "9", "replies": [{"text": "Bạn ở tỉnh nào?"}]}
    async with sessionmaker() as s:
        quiet, active = await world.user(s, "Đã lâu không nhắn"), await world.user(s, "Vừa nhắn")
        s.add_all([Conversation(user_id=quiet.id, last_replies=kept, updated_at=NOW - dt.timedelta(days=400)),
                   Conversation(user_id=active.id, last_replies=kept, updated_at=NOW - dt.timedelta(days=3))])
        await s.commit()
    await run_once(sessionmaker, DAY, 12, "test", now=NOW)
    async with sessionmaker() as s:
        left = dict((await s.execute(select(Conversation.user_id, Conversation.last_replies))).all())
    assert left == {quiet.id: None, active.id: kept}


async def test_a_purge_works_in_batches(sessionmaker):
    async with sessionmaker() as s:
        farmer = await world.user(s, "Nông dân")
        s.add_all([AuditLog(user_id=farmer.id, action="menu.started", at=NOW - dt.timedelta(days=500))
                   for _ in range(25)])
        await s.commit()
    assert await purge(sessionmaker, months_before(NOW, 12), batch=10) == 25
    assert await _actions(sessionmaker) == []


async def test_the_day_is_run_once_even_by_two_processes_at_the_same_time(database_url, engine, sessionmaker):
    await _seed(sessionmaker)
    other_engine = make_engine(database_url)  # a second process: its own connections
    try:
        results = await asyncio.gather(run_once(sessionmaker, DAY, 12, "one", now=NOW),
                                       run_once(make_sessionmaker(other_engine), DAY, 12, "two", now=NOW))
    finally:
        await other_engine.dispose()
    assert sorted(results, key=lambda r: r is None) == [2, None]
    assert await run_once(sessionmaker, DAY, 12, "one again", now=NOW) is None  # a restart on the same day
    async with sessionmaker() as s:
        run = (await s.execute(select(JobRun))).scalar_one()
    assert (run.job, run.day, run.removed) == (JOB, DAY, 2) and run.finished_at is not None
    assert await run_once(sessionmaker, DAY + dt.timedelta(days=1), 12, "one", now=NOW) == 0  # the next day runs


async def test_the_app_runs_the_purge_as_a_background_job(database_url, engine, sessionmaker):
    await _seed(sessionmaker)
    settings = Settings(database_url=database_url, conversation_log_months=12)
    app = build_app(settings, parts=["retention"])
    assert len(app.jobs) == 1
    stop = asyncio.Event()
    job = asyncio.create_task(wiring.make_job(app, clock=lambda: NOW.astimezone(HANOI_TIME))(stop))
    try:
        async with asyncio.timeout(30):  # a hang fails the test instead of blocking the run
            while True:
                async with sessionmaker() as s:
                    finished = await s.scalar(select(func.count()).select_from(JobRun)
                                              .where(JobRun.finished_at.is_not(None)))
                if finished:
                    break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await job
        await app.close()
    assert await _actions(sessionmaker) == ["dashboard.exported", "dashboard.signed_in", "founding.plan_shown",
                                            "my_data.erased"]


def test_the_setting_has_a_default_and_bounds():
    assert Settings().conversation_log_months == 12
    assert Settings(conversation_log_months="6").conversation_log_months == 6
    for bad in (0, 121, "mười"):
        try:
            Settings(conversation_log_months=bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")

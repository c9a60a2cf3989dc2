"""`htxbot demo`: a fresh database filled with one province's demonstration data, a sign-in link that opens
the dashboard on it, and a refusal to touch a database that holds real data."""

from __future__ import annotations

import datetime as dt

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import build_app, build_web
from bot.commands.demo import prepare
from bot.settings import Settings
from db.models import Announcement, Cooperative, MonthlyReport, Question, User
from tests.chat import fixed_clock
from tests.web.dashboard_site import Site

TODAY = dt.date(2026, 11, 22)


async def _count(sessionmaker, model, *where) -> int:
    async with sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_the_demo_fills_a_fresh_database_and_its_link_opens_the_dashboard(engine, database_url, sessionmaker):
    raw, filled = await prepare(database_url, TODAY)
    assert filled
    assert await _count(sessionmaker, Cooperative) == 40
    assert await _count(sessionmaker, Cooperative, Cooperative.registration_no.startswith("MAU-"),
                        Cooperative.name.endswith(" (mẫu)")) == 40
    assert await _count(sessionmaker, User, ~User.external_id.startswith("mau-")) == 0  # all demonstration people
    assert await _count(sessionmaker, User, User.channel.not_in(("demo", "web"))) == 0  # nothing can leave
    async with sessionmaker() as s:
        months = await s.scalar(select(func.count(MonthlyReport.period.distinct())))
    assert months == 12
    assert await _count(sessionmaker, Question, Question.status == "open") == 5
    assert await _count(sessionmaker, Announcement, Announcement.status == "done") == 1

    settings = Settings(database_url=database_url, telegram_bot_token=None)
    app = build_app(settings, clock=fixed_clock(TODAY.isoformat()), parts=["dashboard"])
    client = TestClient(TestServer(build_web(app)))
    await client.start_server()
    try:
        site = Site(app, client)
        assert (await site.sign_in(raw)).status == 303
        home = await (await client.get("/quan-ly/")).text()
        assert "Phạm vi: Vĩnh Long" in home and "(mẫu)" in home and "Báo cáo tháng 11/2026" in home
        assert "Câu hỏi số" in await (await client.get("/quan-ly/cau-hoi")).text()
        assert "[Dữ liệu mẫu]" in await (await client.get("/quan-ly/thong-bao")).text()
    finally:
        await client.close()
        await app.close()

    again, filled = await prepare(database_url, TODAY)  # run again: a new link, nothing added
    assert not filled and again != raw
    assert await _count(sessionmaker, Cooperative) == 40


async def test_the_demo_refuses_a_database_with_real_data(engine, database_url, sessionmaker):
    async with sessionmaker() as s:
        s.add(User(channel="telegram", external_id="42", display_name="Người thật"))
        await s.commit()
    assert await prepare(database_url, TODAY) is None
    assert await _count(sessionmaker, Cooperative) == 0
    assert await _count(sessionmaker, User) == 1

"""Officials' dashboard sign-ins and exports go to the audit log; country-level officials read it, no one else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import build_app, build_web
from bot.settings import Settings
from db.models.core import AuditLog
from flows.dashboard_login.flow import issue_login_token
from flows.join.scope import Scope
from flows.my_data.retention import run_once
from tests.chat import fixed_clock
from tests.registry import world

HANOI = 1


def _rows(page: str) -> list[str]:
    """The table's rows, newest first."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


class Dashboard:
    """The dashboard on a test server, and a browser per official."""

    def __init__(self, app, server: TestServer) -> None:
        self.app, self.server = app, server
        self.browsers: list[TestClient] = []

    async def browser_of(self, user_id: int) -> TestClient:
        """A browser signed in as this official, through a one-time link, as a person would."""
        async with self.app.sessionmaker() as s:
            raw = await issue_login_token(s, user_id)
            await s.commit()
        browser = TestClient(self.server)
        self.browsers.append(browser)
        opened = await browser.get("/quan-ly/dang-nhap", params={"t": raw})
        token = re.search(r'name="csrf" value="([^"]+)"', await opened.text()).group(1)
        confirmed = await browser.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": token}, allow_redirects=False)
        assert confirmed.status == 303
        return browser


@pytest.fixture
async def dashboard(engine, database_url):
    app = build_app(Settings(database_url=database_url, telegram_bot_token=None), clock=fixed_clock(),
                    parts=["dashboard"])
    server = TestServer(build_web(app))
    await server.start_server()
    site = Dashboard(app, server)
    async with app.sessionmaker() as s:
        site.country = (await world.official(s, Scope("country"))).id
        site.hanoi = (await world.official(s, Scope("province", HANOI))).id
        await s.commit()
    yield site
    for browser in site.browsers:
        await browser.close()
    await server.close()
    await app.close()


async def test_a_country_official_reads_who_signed_in_and_what_they_exported(dashboard):
    provincial = await dashboard.browser_of(dashboard.hanoi)
    export = await provincial.get("/quan-ly/xuat/tep", params={"tu": "2026-09", "den": "2026-10", "dinh_dang": "csv"})
    assert export.status == 200
    national = await dashboard.browser_of(dashboard.country)
    home = await national.get("/quan-ly/")
    assert 'href="/quan-ly/nhat-ky"' in await home.text()
    page = await national.get("/quan-ly/nhat-ky")
    assert page.status == 200
    text = await page.text()
    rows = _rows(text)
    assert len(rows) == 5  # newest first: the country official's sign-in, the export, the provincial sign-in,
    #                        then the two appointments the test world made (by no one: "—")
    assert "Đăng nhập trang quản lý" in rows[0] and f"#{dashboard.country}" in rows[0]
    assert "Tải tệp dữ liệu" in rows[1] and f"#{dashboard.hanoi}" in rows[1]
    assert "tháng 09/2026 đến 10/2026, CSV, Thành phố Hà Nội" in rows[1]
    assert "Đăng nhập trang quản lý" in rows[2] and "Thành phố Hà Nội" in rows[2]
    assert all("Cấp quyền cán bộ" in row and '<td data-label="Cán bộ">—</td>' in row for row in rows[3:])


async def test_anyone_else_gets_the_out_of_scope_page(dashboard):
    provincial = await dashboard.browser_of(dashboard.hanoi)
    refused = await provincial.get("/quan-ly/nhat-ky")
    assert refused.status == 403 and "Ngoài phạm vi phụ trách" in await refused.text()
    assert 'href="/quan-ly/nhat-ky"' not in await (await provincial.get("/quan-ly/")).text()
    stranger = TestClient(dashboard.server)
    dashboard.browsers.append(stranger)
    assert (await stranger.get("/quan-ly/nhat-ky")).status == 401


async def test_a_bad_page_cursor_is_a_clear_400_and_pages_go_back_in_time(dashboard):
    national = await dashboard.browser_of(dashboard.country)
    for bad in ("abc", "²", "-1", "9" * 30):
        response = await national.get("/quan-ly/nhat-ky", params={"truoc": bad})
        assert response.status == 400 and "Bộ lọc không hợp lệ" in await response.text()
    async with dashboard.app.sessionmaker() as s:
        s.add_all([AuditLog(user_id=dashboard.hanoi, action="dashboard.signed_in") for _ in range(120)])
        await s.commit()
    first = await (await national.get("/quan-ly/nhat-ky")).text()
    older = re.search(r'href="/quan-ly/nhat-ky\?truoc=(\d+)">Cũ hơn', first)
    assert older and len(_rows(first)) == 100
    second = await (await national.get("/quan-ly/nhat-ky", params={"truoc": older.group(1)})).text()
    assert len(_rows(second)) == 23 and "Cũ hơn" not in second and 'href="/quan-ly/nhat-ky">Mới nhất' in second


async def test_the_access_log_outlives_the_conversation_log_purge(dashboard):
    await dashboard.browser_of(dashboard.hanoi)
    async with dashboard.app.sessionmaker() as s:
        s.add(AuditLog(user_id=dashboard.hanoi, action="menu.started"))
        await s.commit()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=800)
    assert await run_once(dashboard.app.sessionmaker, later.date(), 12, "test", now=later) == 1
    async with dashboard.app.sessionmaker() as s:
        actions = (await s.scalars(select(AuditLog.action).where(AuditLog.user_id == dashboard.hanoi))).all()
    assert actions == ["dashboard.signed_in"]

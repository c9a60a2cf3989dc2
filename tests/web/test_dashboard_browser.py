"""The officials' dashboard in a real browser (Chromium via Playwright) against the whole bot on 127.0.0.1."""

from __future__ import annotations

import re

from db.models.core import User
from flows.announcements.ratelimit import ChannelLimit, Limits
from flows.announcements.worker import Worker
from flows.dashboard_login.flow import issue_login_token, login_url
from flows.join.scope import Scope
from flows.monthly_report.reports import submit
from tests.registry.world import (
    CAN_THO,
    CUA_NAM,
    HANOI,
    HOAN_KIEM,
    NINH_KIEU,
    answers,
    coop,
    head_of,
    official,
)
from tests.web.conftest import screenshot_path

DESK = {"width": 1280, "height": 900}


class Inbox:
    """A Telegram stand-in for the delivery worker: it keeps what each recipient received."""

    def __init__(self) -> None:
        self.received: dict[str, str] = {}

    async def send(self, external_id: str, text: str) -> None:
        self.received[external_id] = text


async def _seed(app) -> dict[str, int]:
    """Hà Nội cooperatives reporting over a year, one silent, one in Cần Thơ; officials; farmers to announce to."""
    async with app.sessionmaker() as s:
        cua_nam = await coop(s, "HTX Rau Sạch Cửa Nam", HANOI, CUA_NAM, reg="0101")
        hoan_kiem = await coop(s, "HTX Gốm Hoàn Kiếm", HANOI, HOAN_KIEM, reg="0102")
        await coop(s, "HTX Im Lặng", HANOI, CUA_NAM)
        ninh_kieu = await coop(s, "HTX Lúa Ninh Kiều", CAN_THO, NINH_KIEU)
        heads = {c.id: await head_of(s, c, role="chu_nhiem", province_code=c.province_code,
                                     commune_code=c.commune_code) for c in (cua_nam, hoan_kiem, ninh_kieu)}
        for k, month in enumerate(["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
                                   "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]):
            await submit(s, heads[cua_nam.id], cua_nam,
                         answers(month, members=20 + k, workers=10 + k // 2, revenue=300_000_000 + 15_000_000 * k),
                         confirmed=True)
            await submit(s, heads[hoan_kiem.id], hoan_kiem,
                         answers(month, members=30, workers=14, revenue=500_000_000 - 10_000_000 * k,
                                 status="kho_khan" if month == "2026-11" else "on_dinh",
                                 difficulties="Thiếu đơn hàng cuối năm" if month == "2026-11" else None,
                                 needs=["tieu_thu"] if month == "2026-11" else []),
                         confirmed=True)
        await submit(s, heads[ninh_kieu.id], ninh_kieu, answers("2026-11"))
        for i in range(3):
            s.add(User(channel="telegram", external_id=f"nd{i}", display_name=f"Nông dân {i}", role="nong_dan",
                       province_code=HANOI, commune_code=CUA_NAM, onboarded=True))
        ids = {"hanoi": (await official(s, Scope("province", HANOI))).id,
               "can_tho": (await official(s, Scope("province", CAN_THO))).id, "cua_nam": cua_nam.id}
        await s.commit()
    return ids


async def _sign_in(page, app, user_id: int, base_url: str) -> None:
    async with app.sessionmaker() as s:
        raw = await issue_login_token(s, user_id)
        await s.commit()
    await page.goto(login_url(base_url, raw))
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{base_url}/quan-ly/")


async def test_an_official_signs_in_reads_the_month_and_sends_an_announcement(live_app, page):
    app, base_url = live_app
    ids = await _seed(app)
    await page.set_viewport_size(DESK)

    await _sign_in(page, app, ids["hanoi"], base_url)
    assert await page.locator("h1").inner_text() == "Báo cáo tháng 11/2026"
    body = await page.locator("main").inner_text()
    assert "2/3" in body and "HTX Im Lặng" in body and "Ninh Kiều" not in body
    assert "Thành phố Hà Nội" in await page.locator(".scope").inner_text()
    await page.screenshot(path=screenshot_path("dashboard-home"), full_page=True)

    await page.get_by_role("link", name="Xu hướng 12 tháng").click()
    assert await page.locator("figure.chart svg").count() == 3
    assert "12/2025" in await page.locator("h1").inner_text()
    await page.screenshot(path=screenshot_path("dashboard-trends"), full_page=True)

    await page.get_by_role("link", name="Hợp tác xã", exact=True).click()
    await page.select_option("select[name=bao_cao]", "chua")
    await page.get_by_role("button", name="Lọc").click()
    rows = page.locator("table.data tbody tr")
    assert await rows.count() == 1 and "HTX Im Lặng" in await rows.first.inner_text()
    await page.goto(f"{base_url}/quan-ly/hop-tac-xa/{ids['cua_nam']}")
    assert await page.locator("table.data").count() == 1  # one table, a row per month
    assert await page.locator("table.data tbody tr").count() == 12
    await page.screenshot(path=screenshot_path("dashboard-cooperative"), full_page=True)

    await page.get_by_role("link", name="Khó khăn, nhu cầu").click()
    assert "Thiếu đơn hàng cuối năm" in await page.locator("main").inner_text()
    await page.screenshot(path=screenshot_path("dashboard-needs"), full_page=True)

    await page.get_by_role("link", name="Thông báo", exact=True).click()
    await page.fill("textarea[name=noi_dung]", "Tập huấn chuyển đổi số sáng 05/12 tại nhà văn hóa phường.")
    await page.select_option("select[name=nhom]", "farmers")
    await page.get_by_role("button", name="Xem trước").click()
    assert "Tập huấn chuyển đổi số" in await page.locator(".preview .message").inner_text()
    await page.screenshot(path=screenshot_path("dashboard-announce-preview"), full_page=True)
    await page.get_by_role("button", name="Gửi ngay cho 3 người").click()
    await page.wait_for_url(re.compile(r".*/quan-ly/thong-bao/\d+$"))
    assert await page.locator("[data-k=remaining]").inner_text() == "3"

    inbox = Inbox()
    worker = Worker(app.sessionmaker, {"telegram": inbox},
                    Limits(channels={"telegram": ChannelLimit(per_second=None, per_chat_seconds=0)}), "test-worker")
    await worker.run_until_idle(30)
    assert sorted(inbox.received) == ["nd0", "nd1", "nd2"]
    await page.locator("#live", has_text="Đã xong.").wait_for()  # the page's poll saw the deliveries
    assert await page.locator("[data-k=sent]").inner_text() == "3"
    assert await page.locator("[data-k=remaining]").inner_text() == "0"
    await page.screenshot(path=screenshot_path("dashboard-announce-progress"), full_page=True)

    await page.get_by_role("link", name="← Thông báo").click()
    assert "3/3" in await page.locator("table.data").inner_text()


async def test_a_page_of_another_province_is_refused_in_the_browser(live_app, browser):
    app, base_url = live_app
    ids = await _seed(app)
    context = await browser.new_context(viewport=DESK, locale="vi-VN")
    page = await context.new_page()
    try:
        await _sign_in(page, app, ids["can_tho"], base_url)
        home = await page.locator("main").inner_text()
        assert "1/1" in home and "Cửa Nam" not in home
        response = await page.goto(f"{base_url}/quan-ly/hop-tac-xa/{ids['cua_nam']}")
        assert response.status == 403
        assert await page.locator("h1").inner_text() == "Ngoài phạm vi phụ trách"
        await page.screenshot(path=screenshot_path("dashboard-refused"), full_page=True)
    finally:
        await context.close()


async def test_the_home_page_fits_a_phone(live_app, page):
    app, base_url = live_app
    ids = await _seed(app)
    await _sign_in(page, app, ids["hanoi"], base_url)
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    await page.screenshot(path=screenshot_path("dashboard-home-phone"), full_page=True)

"""Every dashboard page in Chromium at a phone's width (390 px) and a desk's (1366 px), over the demonstration
province (`htxbot demo`): nothing wider than the window, no serious or critical axe-core violation, a
screenshot of each; and the forms that act, used as an official would (answer, schedule, cancel)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.commands.demo import prepare
from db.models import Announcement, Cooperative, Question
from flows.dashboard_login.flow import issue_login_token, login_url
from flows.join.scope import Scope
from tests.registry.world import official
from tests.web.audit import axe_missing, check_page
from tests.web.conftest import screenshot_path

TODAY = dt.date(2026, 11, 22)  # the live app's fixed clock
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


async def _demo(app, database_url: str) -> dict[str, int]:
    raw, _ = await prepare(database_url, TODAY)
    async with app.sessionmaker() as s:
        coop = await s.scalar(select(Cooperative.id).order_by(Cooperative.id))
        question = await s.scalar(select(Question.id).order_by(Question.id))
        announcement = await s.scalar(select(Announcement.id))
    return {"raw": raw, "coop": coop, "question": question, "announcement": announcement}


async def _signed_in(browser, base_url: str, raw: str, size: str):
    context = await browser.new_context(viewport=SIZES[size], locale="vi-VN", bypass_csp=True)  # axe is injected
    page = await context.new_page()
    page.set_default_timeout(15_000)
    await page.goto(login_url(base_url, raw))
    await check_page(page, f"dang-nhap-{size}")
    await page.screenshot(path=screenshot_path(f"dashboard-{size}-00-dang-nhap"), full_page=True)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{base_url}/quan-ly/")
    return context, page


def _pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    return [
        ("01-tong-quan", "/quan-ly/"),
        ("02-xu-huong", "/quan-ly/xu-huong"),
        ("03-hop-tac-xa", "/quan-ly/hop-tac-xa"),
        ("04-hop-tac-xa-tim", "/quan-ly/hop-tac-xa?q=zzz"),
        ("05-mot-hop-tac-xa", f"/quan-ly/hop-tac-xa/{ids['coop']}"),
        ("06-kho-khan", "/quan-ly/kho-khan"),
        ("07-kho-khan-thang-trong", "/quan-ly/kho-khan?thang=2024-01"),
        ("08-xu-huong-trong", "/quan-ly/xu-huong?thang=2024-01"),
        ("09-thanh-lap", "/quan-ly/thanh-lap"),
        ("10-ho-tro", "/quan-ly/ho-tro"),
        ("11-cau-hoi", "/quan-ly/cau-hoi"),
        ("12-mot-cau-hoi", f"/quan-ly/cau-hoi/{ids['question']}"),
        ("13-thong-bao", "/quan-ly/thong-bao"),
        ("14-mot-thong-bao", f"/quan-ly/thong-bao/{ids['announcement']}"),
        ("15-xuat", "/quan-ly/xuat"),
        ("16-thang-chua-toi", "/quan-ly/?thang=2031-05"),
    ]


@pytest.mark.parametrize("size", SIZES)
async def test_every_page_fits_the_window_and_passes_axe(live_app, browser, database_url, size):
    app, base_url = live_app
    ids = await _demo(app, database_url)
    context, page = await _signed_in(browser, base_url, ids["raw"], size)
    try:
        for name, path in _pages(ids):
            response = await page.goto(base_url + path)
            assert response.status == (400 if "2031" in path else 200), path
            await check_page(page, f"{name}-{size}")
            await page.screenshot(path=screenshot_path(f"dashboard-{size}-{name}"), full_page=True)
        # the skip link is the first thing a keyboard reaches, and it lands on the page's content
        await page.goto(base_url + "/quan-ly/")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Bỏ qua menu, tới nội dung chính"
        await page.keyboard.press("Enter")
        assert await page.evaluate("document.activeElement.id") == "main"
        await page.get_by_role("button", name="Đăng xuất").click()
        await page.get_by_role("heading", name="Bạn đã đăng xuất").wait_for()
        await check_page(page, f"17-da-dang-xuat-{size}")
    finally:
        await context.close()
    if axe_missing():
        pytest.skip(f"the pages fit; {axe_missing()}")


async def test_on_a_phone_tables_are_cards_and_the_charts_are_legible(live_app, browser, database_url):
    app, base_url = live_app
    ids = await _demo(app, database_url)
    context, page = await _signed_in(browser, base_url, ids["raw"], "phone")
    try:
        await page.goto(base_url + "/quan-ly/hop-tac-xa")
        row = page.locator("table.data tbody tr").first
        assert await row.evaluate("e => getComputedStyle(e).display") == "block"  # a card per cooperative
        assert await page.locator("table.data thead").evaluate("e => e.getBoundingClientRect().width") <= 1
        await page.fill("input[name=q]", "Gạo")  # search and sort (the list's query side: coops.py)
        await page.select_option("select[name=sap_xep]", "doanh_thu")
        await page.get_by_role("button", name="Lọc").click()
        names = await page.locator("table.data tbody th a").all_inner_texts()
        assert names and all("Gạo" in name for name in names)
        assert await page.locator("select[name=sap_xep]").input_value() == "doanh_thu"
        await page.goto(base_url + "/quan-ly/xu-huong")
        sizes = await page.locator("svg .xlabel").evaluate_all("ls => ls.map(l => l.getBoundingClientRect().height)")
        assert min(sizes) >= 9  # readable month labels, not 6 px
        assert "(triệu đồng)" in await page.locator("figure.chart figcaption").last.inner_text() or \
            "(tỷ đồng)" in await page.locator("figure.chart figcaption").last.inner_text()
        await page.goto(base_url + f"/quan-ly/hop-tac-xa/{ids['coop']}")
        assert await page.locator("table.data").count() == 1
        assert await page.locator("tr.gap").count() >= 1  # the demonstration has months without an update
    finally:
        await context.close()


async def test_an_official_answers_schedules_and_cancels_from_a_phone(live_app, browser, database_url):
    app, base_url = live_app
    ids = await _demo(app, database_url)
    context, page = await _signed_in(browser, base_url, ids["raw"], "phone")
    try:
        await page.get_by_role("link", name="Câu hỏi chờ trả lời").click()
        first = page.locator("article.question").first
        await first.locator("summary").click()
        await first.locator("textarea").fill("Có lớp vào ngày 05/12 tại UBND xã, bạn đăng ký với cán bộ xã nhé.")
        await check_page(page, "cau-hoi-mo-form-phone")
        await first.get_by_role("button", name="Gửi câu trả lời").click()
        await page.wait_for_url(re.compile(r".*/quan-ly/cau-hoi/\d+\?ket_qua=da_gui$"))
        notice = await page.locator(".notice").inner_text()
        assert "Đã gửi câu trả lời tới người hỏi qua trang trò chuyện web" in notice
        assert "sẽ hiện, đánh dấu «Mới», khi họ mở trang" in notice
        await check_page(page, "cau-hoi-da-gui-phone")
        await page.screenshot(path=screenshot_path("dashboard-phone-20-da-tra-loi"), full_page=True)

        await page.goto(base_url + "/quan-ly/thong-bao")
        await page.fill("textarea[name=noi_dung]", "Họp giao ban HTX sáng thứ Hai tuần sau.")
        await page.select_option("select[name=nhom]", "farmers")
        await page.get_by_role("button", name="Xem trước").click()
        when = (dt.datetime.now(LOCAL) + dt.timedelta(days=2)).replace(hour=8, minute=0)
        await page.fill("input[name=hen_gio]", when.strftime("%Y-%m-%dT%H:%M"))
        await check_page(page, "thong-bao-xem-truoc-phone")
        await page.screenshot(path=screenshot_path("dashboard-phone-21-xem-truoc"), full_page=True)
        await page.get_by_role("button", name="Hẹn giờ gửi").click()
        await page.wait_for_url(re.compile(r".*/quan-ly/thong-bao/\d+$"))
        assert f"Hẹn gửi lúc 08:00 ngày {when:%d/%m/%Y}" in await page.locator("main").inner_text()
        assert await page.locator("#status").inner_text() == "Đã hẹn giờ"
        await page.get_by_role("button", name="Hủy hẹn giờ, không gửi thông báo này").click()
        await page.locator(".notice", has_text="Đã hủy").wait_for()
        assert await page.locator("#status").inner_text() == "Đã hủy"
        await check_page(page, "thong-bao-da-huy-phone")
        await page.screenshot(path=screenshot_path("dashboard-phone-22-da-huy"), full_page=True)
    finally:
        await context.close()


@pytest.mark.parametrize("size", SIZES)
async def test_the_audit_log_fits_the_window_and_passes_axe(live_app, browser, database_url, size):
    """The audit log is a country-level official's page: it lists the province official's sign-in."""
    app, base_url = live_app
    ids = await _demo(app, database_url)
    province, _ = await _signed_in(browser, base_url, ids["raw"], size)
    await province.close()
    async with app.sessionmaker() as s:
        raw = await issue_login_token(s, (await official(s, Scope("country"))).id)
        await s.commit()
    context, page = await _signed_in(browser, base_url, raw, size)
    try:
        response = await page.goto(base_url + "/quan-ly/nhat-ky")
        assert response.status == 200
        assert await page.get_by_role("cell", name="Đăng nhập trang quản lý").count() >= 2  # both sign-ins
        await check_page(page, f"18-nhat-ky-{size}")
        await page.screenshot(path=screenshot_path(f"dashboard-{size}-18-nhat-ky"), full_page=True)
    finally:
        await context.close()
    if axe_missing():
        pytest.skip(f"the page fits; {axe_missing()}")

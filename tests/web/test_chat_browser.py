"""The web chat in a real browser (Playwright, Debian's Chromium): onboarding on a phone-sized screen."""

from __future__ import annotations

from sqlalchemy import select

from db.models import User
from tests.web.conftest import screenshot_path


async def _bot_says(page, fragment: str) -> None:
    """Wait until the last bot message contains the fragment (the typing indicator is gone by then)."""
    last = page.locator("#log .msg.bot").last
    await last.filter(has_text=fragment).wait_for()
    await page.locator("#typing").wait_for(state="hidden")


async def _type(page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def test_a_visitor_is_onboarded_in_the_browser_and_sees_the_menu(live_app, page):
    app, base_url = live_app
    await page.goto(base_url + "/")
    assert await page.title() == "HTX Bot — Trợ lý hợp tác xã"
    await page.get_by_role("button", name="Bắt đầu").wait_for()
    await page.screenshot(path=screenshot_path("chat-1-first-visit"))

    await _type(page, "/start")
    await _bot_says(page, "Bạn là ai")
    assert await page.locator("#log .msg.me").last.inner_text() == "/start"
    assert await page.get_by_role("button", name="Bắt đầu").count() == 0  # old chips go away
    await page.screenshot(path=screenshot_path("chat-2-greeting"))

    await page.get_by_role("button", name="Nông dân / nhóm sáng lập HTX").click()
    await _bot_says(page, "tỉnh/thành phố nào")
    assert await page.locator("#log .msg.me").last.inner_text() == "Nông dân / nhóm sáng lập HTX"
    await _type(page, "vinh long")
    await _bot_says(page, "xã/phường nào")
    await _type(page, "long hiep")
    await _bot_says(page, "thông báo")
    await page.screenshot(path=screenshot_path("chat-3-announcements-question"))
    await _type(page, "co")
    await _bot_says(page, "Bạn có đồng ý")  # the privacy notice's consent
    await page.screenshot(path=screenshot_path("chat-3b-consent"))
    await page.get_by_role("button", name="Đồng ý").first.click()
    await _bot_says(page, "Menu chính")
    await page.get_by_role("button", name="Thành lập HTX").wait_for()
    await page.screenshot(path=screenshot_path("chat-4-menu"))

    # The last message is in view, the input bar stays at the bottom of the screen.
    box = await page.locator("#composer").bounding_box()
    assert box and abs(box["y"] + box["height"] - 780) <= 1
    assert await page.locator("#scroller").evaluate("e => e.scrollHeight - e.scrollTop - e.clientHeight < 2")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    async with app.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.channel == "web"))).scalar_one()
    assert (user.role, user.onboarded, user.announcements, user.province_code) == ("nong_dan", True, True, 86)


async def test_a_reload_keeps_the_conversation_and_the_keyboard_alone_can_drive_it(live_app, page):
    _app, base_url = live_app
    await page.goto(base_url + "/")
    await page.get_by_role("button", name="Bắt đầu").click()
    await _bot_says(page, "Bạn là ai")
    await page.reload()
    await page.locator("#log .msg.bot").filter(has_text="Bạn là ai").wait_for()
    assert await page.get_by_role("button", name="Bắt đầu").count() == 0

    # Tab from the input back to the chips, press Enter on the first one.
    await page.focus("#input")
    chips = page.locator("#log .chip")
    for _ in range(20):
        await page.keyboard.press("Shift+Tab")
        if await chips.first.evaluate("e => e === document.activeElement"):
            break
    await page.keyboard.press("Enter")
    await _bot_says(page, "tỉnh/thành phố nào")


async def test_a_lost_connection_says_so_and_the_message_can_be_sent_again(live_app, page):
    _app, base_url = live_app
    await page.goto(base_url + "/")
    await page.route("**/api/chat", lambda route: route.abort())
    await _type(page, "/start")
    await page.locator("#log .msg.notice").filter(has_text="Mất kết nối, thử lại.").wait_for()
    await page.screenshot(path=screenshot_path("chat-5-offline"))
    await page.unroute("**/api/chat")
    await page.get_by_role("button", name="Thử lại").click()
    await _bot_says(page, "Bạn là ai")


async def test_the_page_on_a_desktop_screen(live_app, browser):
    _app, base_url = live_app
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = await context.new_page()
    try:
        await page.goto(base_url + "/")
        await page.get_by_role("button", name="Bắt đầu").click()
        await _bot_says(page, "Bạn là ai")
        width = await page.locator("#chat").evaluate("e => e.getBoundingClientRect().width")
        assert width <= 760
        await page.screenshot(path=screenshot_path("chat-6-desktop"))
    finally:
        await context.close()

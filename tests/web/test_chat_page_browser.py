"""The chat page keeps its promises (issue 18), in Chromium at 390 px and 1366 px: an official's answer
appears live in the asker's open page and again after a reload (or, page closed, marked «Mới» on the next
visit); long replies are read from their start; a multi-choice question is one message edited in place with a
distinct «Xong»; no number hints beside chips; the composer grows and says the limit; the header opens the
menu; no page is wider than the window and axe-core finds nothing serious."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from db.models import Conversation, Question, User
from flows.dashboard_login.flow import issue_login_token, login_url
from flows.join.accounts import add_official
from flows.join.scope import Scope
from tests.chat import Chat
from tests.web.audit import check_page
from tests.web.conftest import screenshot_path

VINH_LONG = 86
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}
QUESTION = "con trâu nhà tôi bị ốm nặng thì làm sao?"


async def _bot_says(page, fragment: str) -> None:
    """Wait until the last bot message contains the fragment (the typing indicator is gone by then)."""
    await page.locator("#log .msg.bot").last.filter(has_text=fragment).wait_for()
    await page.locator("#typing").wait_for(state="hidden")


async def _type(page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def _context(browser, size: str):
    context = await browser.new_context(viewport=SIZES[size], locale="vi-VN", bypass_csp=True)  # axe is injected
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return context, page


async def _visitor(app, page, base_url: str) -> User:
    """Open the page, say /start, then stand past onboarding in Vĩnh Long (set in the database)."""
    await page.goto(base_url + "/")
    await _type(page, "/start")
    await _bot_says(page, "Bạn là ai")
    async with app.sessionmaker() as s:
        person = (await s.scalars(select(User).where(User.channel == "web").order_by(User.id.desc()))).first()
        person.onboarded, person.role, person.province_code = True, "nong_dan", VINH_LONG
        await s.execute(delete(Conversation).where(Conversation.user_id == person.id))
        await s.commit()
    app.engine.store.forget("web", person.external_id)
    return person


async def _official(app, external_id: str = "o1") -> Chat:
    async with app.sessionmaker() as s:
        await add_official(s, Scope("province", VINH_LONG), channel="test", external_id=external_id)
        await s.commit()
    return Chat(app.engine, external_id, name="Cán bộ Vĩnh Long")


async def _ask(page, text: str) -> None:
    await _type(page, text)
    await page.get_by_role("button", name="📨 Gửi câu hỏi cho cán bộ").click()
    await _bot_says(page, "Đã gửi câu hỏi của bạn cho cán bộ")


async def _answer_in_chat(app, official: Chat, answer: str) -> None:
    async with app.sessionmaker() as s:
        question = await s.scalar(select(Question).where(Question.status == "open").order_by(Question.id))
    await official.send("/cauhoi")
    await official.tap(str(question.id))
    await official.send(answer)
    assert official.said("Đã gửi câu trả lời"), official.transcript


@pytest.mark.parametrize("size", SIZES)
async def test_an_officials_answer_appears_live_and_again_after_a_reload(live_app, browser, size):
    app, base_url = live_app
    context, page = await _context(browser, size)
    try:
        await _visitor(app, page, base_url)
        await check_page(page, f"chat-hoi-{size}")
        await _ask(page, QUESTION)
        official = await _official(app)
        await _answer_in_chat(app, official, "Bạn gọi ngay cán bộ thú y xã để được khám.")
        live = page.locator("#log .msg.mail").filter(has_text="cán bộ thú y xã")
        await live.wait_for()  # pushed to the open page, no reload
        assert "Cán bộ Vĩnh Long trả lời câu hỏi của bạn" in await live.inner_text()
        assert await live.locator(".unread").inner_text() == "Mới"
        await check_page(page, f"chat-tra-loi-{size}")
        await page.screenshot(path=screenshot_path(f"chat-{size}-live-answer"))

        await page.reload()
        await page.locator("#log .msg.mail").filter(has_text="cán bộ thú y xã").wait_for()
        assert await page.locator("#log .msg.mail").count() == 1  # shown once, not again from the mailbox
        assert await page.locator("#log .unread").count() == 0  # read when it was shown
    finally:
        await context.close()


async def test_an_answer_sent_while_the_page_is_closed_is_marked_new_on_the_next_visit(live_app, browser):
    app, base_url = live_app
    context, page = await _context(browser, "phone")
    try:
        person = await _visitor(app, page, base_url)
        await _ask(page, QUESTION)
        await page.goto("about:blank")  # the visitor leaves
        # the official answers from the dashboard this time
        async with app.sessionmaker() as s:
            official = await add_official(s, Scope("province", VINH_LONG), channel="test", external_id="o2")
            raw = await issue_login_token(s, official.user_id)
            await s.commit()
        desk = await context.browser.new_context(viewport=SIZES["desk"], locale="vi-VN")
        dashboard = await desk.new_page()
        await dashboard.goto(login_url(base_url, raw))
        await dashboard.get_by_role("button", name="Đăng nhập").click()
        await dashboard.goto(base_url + "/quan-ly/cau-hoi")
        card = dashboard.locator("article.question").filter(has_text="con trâu")
        await card.locator("summary").click()
        await card.locator("textarea").fill("Bạn cách ly con trâu và gọi thú y xã.")
        await card.get_by_role("button", name="Gửi câu trả lời").click()
        await dashboard.wait_for_url(re.compile(r".*ket_qua=da_gui$"))
        assert "chưa mở lại trang trò chuyện" in await dashboard.locator(".notice").inner_text()
        await desk.close()

        await page.goto(base_url + "/")
        mail = page.locator("#log .msg.mail").filter(has_text="cách ly con trâu")
        await mail.wait_for()
        assert await mail.locator(".unread").inner_text() == "Mới"
        await page.screenshot(path=screenshot_path("chat-phone-unread-next-visit"))
        async with app.sessionmaker() as s:
            question = await s.scalar(select(Question).where(Question.user_id == person.id))
        assert question.status == "answered"
    finally:
        await context.close()


async def _no_events(page) -> None:
    """A browser without EventSource."""
    await page.add_init_script("delete window.EventSource;")


async def _events_refused(page) -> None:
    """A proxy on the way that refuses the stream: EventSource gives up on a 502."""
    await page.route("**/api/chat/events*", lambda route: route.fulfill(status=502, body="Bad Gateway"))


@pytest.mark.parametrize("without", [_no_events, _events_refused], ids=["no-eventsource", "stream-refused"])
async def test_without_a_stream_the_page_polls_its_mailbox(live_app, browser, without):
    app, base_url = live_app
    context, page = await _context(browser, "phone")
    try:
        await without(page)
        await page.clock.install()  # time flows, and the 20 s poll can be reached without waiting for it
        await _visitor(app, page, base_url)
        await _ask(page, QUESTION)
        official = await _official(app)
        await _answer_in_chat(app, official, "Bạn gọi ngay cán bộ thú y xã để được khám.")
        answer = page.locator("#log .msg.mail").filter(has_text="cán bộ thú y xã")
        await page.clock.run_for(5_000)
        assert await answer.count() == 0  # nothing pushes it: it waits for the next poll
        await page.clock.run_for(20_000)
        await answer.wait_for()
        assert await answer.locator(".unread").inner_text() == "Mới"
        assert await page.locator("#log .msg.mail").count() == 1
    finally:
        await context.close()


@pytest.mark.parametrize("size", SIZES)
async def test_the_page_fits_and_passes_axe_from_the_first_visit_to_the_menu(live_app, browser, size):
    app, base_url = live_app
    context, page = await _context(browser, size)
    try:
        await page.goto(base_url + "/")
        await page.get_by_role("button", name="Bắt đầu").wait_for()
        await check_page(page, f"chat-lan-dau-{size}")
        await _visitor(app, page, base_url)
        await page.get_by_role("button", name="Mở menu chính").click()  # the header's button opens the menu
        await _bot_says(page, "Menu chính")
        assert await page.locator("#log .msg.me").last.inner_text() == "Menu"
        await check_page(page, f"chat-menu-{size}")
        await page.screenshot(path=screenshot_path(f"chat-{size}-menu"))
    finally:
        await context.close()


async def test_a_long_reply_is_shown_from_its_first_line(live_app, browser):
    app, base_url = live_app
    context = await browser.new_context(viewport={"width": 390, "height": 520}, locale="vi-VN")
    page = await context.new_page()
    try:
        await _visitor(app, page, base_url)
        await _type(page, "/trogiup")
        reply = page.locator("#log .msg.bot").filter(has_text="Trợ giúp").last
        await reply.wait_for()
        await page.locator("#typing").wait_for(state="hidden")
        scroller = await page.locator("#scroller").bounding_box()
        assert (await reply.bounding_box())["height"] > scroller["height"]  # taller than the screen
        await page.wait_for_function(  # its first line is at the top of the conversation (not its last at the bottom)
            """() => { const r = [...document.querySelectorAll('#log .msg.bot')].filter(
                         m => m.textContent.includes('Trợ giúp')).pop();
                       const top = document.getElementById('scroller').getBoundingClientRect().top;
                       return r && Math.abs(r.getBoundingClientRect().top - top) <= 24; }""")
        text = await reply.inner_text()
        assert "bấm nút, hoặc gõ chữ" in text and "số thứ tự" not in text  # no number hints: chips have none
    finally:
        await context.close()


async def test_a_multi_choice_question_is_one_message_edited_in_place(live_app, browser):
    app, base_url = live_app
    context, page = await _context(browser, "phone")
    try:
        await _visitor(app, page, base_url)
        await _type(page, "/thanhlap")
        await page.get_by_role("button", name="Hợp tác xã", exact=True).click()
        await _type(page, "12")
        question = page.locator("#log .msg.bot").last
        await question.locator(".chip.done").wait_for()
        bots, mine = await page.locator("#log .msg.bot").count(), await page.locator("#log .msg.me").count()
        done = question.locator(".chip.done")
        assert await done.inner_text() == "Xong"  # a filled button, not a ticked option
        person = question.get_by_role("button", name="Cá nhân")
        assert await person.get_attribute("aria-pressed") == "false"
        await person.click()
        await page.locator("#typing").wait_for(state="hidden")
        await question.get_by_role("button", name="Cá nhân").and_(page.locator("[aria-pressed=true]")).wait_for()
        await question.get_by_role("button", name="Hộ gia đình").click()
        await question.get_by_role("button", name="Hộ gia đình").and_(page.locator("[aria-pressed=true]")).wait_for()
        assert await page.locator("#log .msg.bot").count() == bots  # the same message, edited
        assert await page.locator("#log .msg.me").count() == mine
        assert "số thứ tự" not in await question.inner_text()
        await check_page(page, "chat-chon-nhieu-phone")
        await page.screenshot(path=screenshot_path("chat-phone-multi-choice"))
        await done.click()
        await page.locator("#typing").wait_for(state="hidden")
        assert await page.locator("#log .msg.me").last.inner_text() == "Xong"
        assert await page.locator("#log .msg.bot").count() > bots
    finally:
        await context.close()


async def test_the_composer_grows_and_says_the_limit_instead_of_cutting(live_app, browser):
    _app, base_url = live_app
    context, page = await _context(browser, "phone")
    try:
        await page.goto(base_url + "/")
        one_line = (await page.locator("#input").bounding_box())["height"]
        await page.fill("#input", "dòng một\ndòng hai\ndòng ba")
        assert (await page.locator("#input").bounding_box())["height"] > one_line * 1.5
        await page.fill("#input", "x" * 5000)
        assert len(await page.locator("#input").input_value()) == 5000  # nothing cut
        count = page.locator("#count")
        assert await count.is_visible() and "5.000" in await count.inner_text() and "4.000" in await count.inner_text()
        assert await page.locator("#send").is_disabled()
        await check_page(page, "chat-qua-dai-phone")
        await page.screenshot(path=screenshot_path("chat-phone-too-long"))
        await page.fill("#input", "x" * 3000)
        assert not await count.is_visible() and not await page.locator("#send").is_disabled()
    finally:
        await context.close()

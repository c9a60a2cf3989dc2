"""The same examples over Telegram: the real python-telegram-bot application against the fake Bot
API on 127.0.0.1, with the knowledge base installed (issue 13)."""

from __future__ import annotations

import contextlib

from bot.channels.telegram import TelegramChannel
from tests.fakes.telegram_api import TelegramFake
from tests.interpretation.conftest import answered_entries, events, returning_user, state_of

TOKEN = "123:ABC"
FARMER = 42


def _texts(tg) -> list[str]:
    return [c.text or "" for c in tg.sent if c.method.lower() == "sendmessage" and str(c.chat_id) == str(FARMER)]


def _keyboard(tg) -> list[str]:
    last = next(c for c in reversed(tg.sent) if c.method.lower() == "sendmessage" and c.reply_markup)
    return [b["callback_data"] for row in last.reply_markup["inline_keyboard"] for b in row]


async def _said(tg, fragment: str) -> None:
    await tg.wait_for(lambda: any(fragment in t for t in _texts(tg)), timeout=10)


@contextlib.asynccontextmanager
async def telegram(bot, sessionmaker):
    """A farmer who introduced themselves earlier, at the main menu on Telegram."""
    await returning_user(sessionmaker, "telegram", str(FARMER))
    async with TelegramFake(token=TOKEN) as tg:
        channel = TelegramChannel(bot, TOKEN, base_url=tg.base_url + "/bot", poll_timeout=1)
        await channel.start()
        try:
            tg.user_says(FARMER, "/start", first_name="Tư")
            await _said(tg, "Menu chính")
            yield tg
        finally:
            await channel.stop()


async def test_a_question_with_a_menu_word_is_answered_over_telegram(bot, sessionmaker):
    async with telegram(bot, sessionmaker) as tg:
        tg.user_says(FARMER, "nop ho so o huyen hay o xa vay ad")
        await _said(tg, "Nguồn:")
    assert (await state_of(sessionmaker, "telegram", str(FARMER))).flow == "faq"
    assert await answered_entries(sessionmaker) == ["noi-nop-ho-so"]
    assert not await events(sessionmaker, "profile.")


async def test_small_talk_over_telegram_gets_a_friendly_reply_and_no_hand_off(bot, sessionmaker):
    async with telegram(bot, sessionmaker) as tg:
        tg.user_says(FARMER, "cam on ad nhieu")
        await _said(tg, "Không có gì")
        tg.user_says(FARMER, "ban la ai")
        await _said(tg, "Mình là <b>HTX Bot</b>")
        assert not any("cán bộ" in t or "Xin lỗi" in t for t in _texts(tg))
    assert not await events(sessionmaker, "faq.")


async def test_a_guess_over_telegram_offers_buttons_and_no_reads_the_text_as_a_question(bot, sessionmaker):
    async with telegram(bot, sessionmaker) as tg:
        tg.user_says(FARMER, "bao cao nam")
        await _said(tg, "Ý bạn là «📊 Báo cáo tháng»?")
        assert _keyboard(tg) == ["menu.main|_pick:monthly_report", "menu.main|_pick:_question"]
        tg.user_taps(FARMER, "menu.main|_pick:_question")
        await _said(tg, "15/12")
    assert not await events(sessionmaker, "monthly_report.")


async def test_a_question_at_the_form_step_over_telegram_keeps_the_step(bot, sessionmaker):
    async with telegram(bot, sessionmaker) as tg:
        tg.user_says(FARMER, "/thanhlap")
        await _said(tg, "hình thức nào")
        tg.user_says(FARMER, "htx can von toi thieu bao nhieu")
        await _said(tg, "không quy định vốn điều lệ tối thiểu")
        await tg.wait_for(lambda: "hình thức nào" in _texts(tg)[-1], timeout=10)
    state = await state_of(sessionmaker, "telegram", str(FARMER))
    assert (state.flow, state.step) == ("founding", "form") and "form" not in state.answers


async def test_a_request_for_another_flow_over_telegram_is_a_button(bot, sessionmaker):
    async with telegram(bot, sessionmaker) as tg:
        tg.user_says(FARMER, "/thanhlap")
        await _said(tg, "hình thức nào")
        tg.user_says(FARMER, "toi muon lam bao cao thang")
        await _said(tg, "Bạn muốn bắt đầu «Báo cáo tháng»?")
        assert not await events(sessionmaker, "monthly_report.")
        tg.user_taps(FARMER, "nav:flow:monthly_report", message_id=next(
            m["message_id"] for m in tg.messages_to(FARMER) if "Bạn muốn bắt đầu" in (m.get("text") or "")))
        await _said(tg, "mã mời")  # the monthly report asks an unlinked farmer for the cooperative's code
    assert (await state_of(sessionmaker, "telegram", str(FARMER))).flow == "monthly_report"

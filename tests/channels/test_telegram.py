"""Telegram end to end: the real python-telegram-bot application against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import contextlib

from sqlalchemy import func, select

from bot.channels.render import split_html
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from db.models import User
from tests.fakes.telegram_api import TelegramFake, post_update
from tests.serving import served

TOKEN = "123:ABC"
HOOK = "https://htx.example/telegram/webhook"
SECRET = "s3cret-Token_1"


def _texts(tg, chat_id):
    return [c.text or "" for c in tg.sent if c.method.lower() == "sendmessage" and str(c.chat_id) == str(chat_id)]


async def _said(tg, chat_id, fragment):
    await tg.wait_for(lambda: any(fragment in t for t in _texts(tg, chat_id)), timeout=10)


@contextlib.asynccontextmanager
async def polling_bot(engine):
    async with TelegramFake(token=TOKEN) as tg:
        channel = TelegramChannel(engine, TOKEN, base_url=tg.base_url + "/bot", poll_timeout=1)
        await channel.start()
        try:
            yield tg, channel
        finally:
            await channel.stop()


async def test_a_farmer_is_onboarded_over_telegram_with_buttons_and_typing(bot_engine, sessionmaker):
    async with polling_bot(bot_engine) as (tg, _channel):
        tg.user_says(42, "/start", first_name="Hai")
        await _said(tg, 42, "Bạn là ai")
        question = next(c for c in reversed(tg.sent) if c.method.lower() == "sendmessage")
        data = [b["callback_data"] for row in question.reply_markup["inline_keyboard"] for b in row]
        assert "onboarding.role|nong_dan" in data  # stable ids, never labels
        tg.user_taps(42, "onboarding.role|nong_dan")
        await _said(tg, 42, "tỉnh/thành phố nào")
        # the tapped question was edited to show the choice and lose its keyboard
        await tg.wait_for(lambda: any(c.method.lower() == "editmessagetext" and "Nông dân" in (c.text or "")
                                      for c in tg.sent))
        assert tg.answered_callbacks
        tg.user_says(42, "vinh long")
        await _said(tg, 42, "xã/phường nào")
        tg.user_says(42, "xa long hiep")
        await _said(tg, 42, "nhận thông báo")
        tg.user_says(42, "khong")
        await _said(tg, 42, "Bạn có đồng ý")  # the privacy notice's consent
        tg.user_says(42, "dong y")
        await _said(tg, 42, "Menu chính")
    async with sessionmaker() as s:
        user = (await s.execute(select(User).where(User.channel == "telegram"))).scalar_one()
    assert (user.external_id, user.display_name, user.role, user.announcements) == ("42", "Hai", "nong_dan", False)
    assert user.commune_code is not None


async def test_an_old_keyboard_pressed_later_gets_a_graceful_answer(bot_engine):
    async with polling_bot(bot_engine) as (tg, _channel):
        tg.user_says(7, "/start")
        await _said(tg, 7, "Bạn là ai")
        tg.user_says(7, "chu nhiem")  # answered by typing: the old keyboard stays on screen
        await _said(tg, 7, "tỉnh/thành phố nào")
        old = next(m for m in tg.messages_to(7) if "Bạn là ai" in (m.get("text") or ""))
        tg.user_taps(7, "onboarding.role|can_bo", message_id=old["message_id"])
        await _said(tg, 7, "câu hỏi cũ")
        await tg.wait_for(lambda: _texts(tg, 7)[-1].startswith("Bạn ở tỉnh/thành phố nào"))


async def test_long_replies_are_split_under_4096_characters():
    text = ("<b>Điều lệ</b> " + "Hợp tác xã hoạt động theo nguyên tắc tự nguyện. " * 200).strip()
    pieces = split_html(text, 4096)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    assert pieces[0].startswith("<b>Điều lệ</b>")


@contextlib.asynccontextmanager
async def webhook_bot(database_url):
    """The app with only the Telegram channel in webhook mode, served on 127.0.0.1; yields (tg, app, url)."""
    async with TelegramFake(token=TOKEN) as tg:
        settings = Settings(database_url=database_url, telegram_bot_token=TOKEN, zalo_bot_token=None,
                            telegram_api_base_url=tg.base_url + "/bot", telegram_webhook_url=HOOK,
                            telegram_webhook_secret=SECRET)
        async with served(settings, ["telegram"], start=True) as (app, server):
            yield tg, app, str(server.make_url("/telegram/webhook"))


async def test_the_webhook_refuses_a_wrong_secret_and_processes_nothing(engine, database_url, sessionmaker):
    async with webhook_bot(database_url) as (tg, _app, url):
        assert tg.webhook == {"url": HOOK, "secret_token": SECRET}
        update = tg.user_says(99, "/start")
        assert await post_update(url, update, secret_token="wrong") == 403
        assert await post_update(url, update, secret_token=None) == 403
        async with sessionmaker() as s:
            assert (await s.execute(select(func.count()).select_from(User))).scalar_one() == 0
        assert _texts(tg, 99) == []
        assert await post_update(url, update, secret_token=SECRET) == 200
        await _said(tg, 99, "Bạn là ai")



async def test_an_update_telegram_delivers_twice_is_answered_once(engine, database_url, sessionmaker):
    async with webhook_bot(database_url) as (tg, _app, url):
        update = tg.user_says(98, "/start")
        assert await post_update(url, update, secret_token=SECRET) == 200
        await _said(tg, 98, "Bạn là ai")
        assert await post_update(url, update, secret_token=SECRET) == 200  # our 200 was lost on its way
        assert await post_update(url, tg.user_says(98, "chu nhiem"), secret_token=SECRET) == 200
        await _said(tg, 98, "tỉnh/thành phố nào")  # one user's updates are handled in order
    assert sum("Bạn là ai" in t for t in _texts(tg, 98)) == 1

"""An official announces over Telegram (python-telegram-bot against the fake Bot API on 127.0.0.1):
delivery with 429, 403 and 500 injected, one edited progress message, cancel mid-run, rights."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import select

from bot.app import build_app
from bot.settings import Settings
from bot.wiring.announcements import make_worker
from db.models.core import User
from db.models.outbox import Announcement, Delivery
from flows.announcements import views
from flows.announcements.worker import WorkerConfig
from flows.join.accounts import add_official
from flows.join.scope import Scope
from tests.announcements.helpers import HANOI, HCMC, HOAN_KIEM, add_users
from tests.chat import fixed_clock
from tests.fakes.telegram_api import TelegramFake

TOKEN = "123:ABC"
AUTHOR = 500
FAST = WorkerConfig(backoff_seconds=0.01, max_attempts=3, poll_seconds=0.05, cancel_check_seconds=0.0,
                    progress_seconds=0.05)


@contextlib.asynccontextmanager
async def running_bot(database_url, engine, **settings):
    """The app with its Telegram channel polling the fake, and the announcements installer."""
    async with TelegramFake(token=TOKEN) as tg:
        app = build_app(Settings(database_url=database_url, telegram_bot_token=TOKEN,
                                 telegram_api_base_url=tg.base_url + "/bot", **settings),
                        clock=fixed_clock(), parts=["telegram", "announcements"])
        channel = app.channels["telegram"]
        channel.poll_timeout = 1
        await channel.start()
        try:
            yield app, tg
        finally:
            await channel.stop()
            await app.close()


PROVINCE = Scope("province", HANOI)


async def _world(app, recipients, author_scope=PROVINCE):
    async with app.sessionmaker() as s, s.begin():
        await add_users(s, [{"external_id": str(i), "role": "nong_dan", "province_code": HANOI,
                             "commune_code": HOAN_KIEM} for i in recipients])
        await add_users(s, [{"external_id": "900", "role": "nong_dan", "province_code": HCMC}])
        await add_official(s, author_scope, channel="telegram", external_id=str(AUTHOR))


def _texts(tg, chat_id):
    return [m.get("text") or "" for m in tg.messages_to(chat_id)]


async def _said(tg, chat_id, fragment):
    await tg.wait_for(lambda: any(fragment in t for t in _texts(tg, chat_id)), timeout=10)


async def _announce(tg, text):
    """The author composes over Telegram and sends to everyone in scope now."""
    tg.user_says(AUTHOR, "/guithongbao")
    await _said(tg, AUTHOR, "Soạn thông báo")
    tg.user_says(AUTHOR, text)
    await _said(tg, AUTHOR, "Xem trước")
    tg.user_taps(AUTHOR, "announcements.looks|ok")
    await _said(tg, AUTHOR, "Gửi cho ai")
    tg.user_taps(AUTHOR, "announcements.audience|everyone")
    await _said(tg, AUTHOR, "sẽ gửi tới")
    tg.user_taps(AUTHOR, "announcements.confirm|send_now")
    await _said(tg, AUTHOR, "đang được gửi")


def _progress_messages(tg):
    return [c for c in tg.sent if str(c.chat_id) == str(AUTHOR) and c.method.lower() == "sendmessage"
            and ("Đang gửi thông báo" in (c.text or "") or "Đã gửi xong" in (c.text or ""))]


async def test_delivery_over_telegram_with_429_403_500_and_one_edited_progress_message(database_url, engine):
    async with running_bot(database_url, engine) as (app, tg):
        await _world(app, range(601, 607))
        text = "Hội nghị tập huấn Luật HTX 2023, 8h ngày 25/11."
        await _announce(tg, text)
        tg.inject("sendMessage", chat_id=602, status=429, retry_after=1, count=1)
        tg.inject("sendMessage", chat_id=603, status=403, description="Forbidden: bot was blocked by the user",
                  always=True)
        tg.inject("sendMessage", chat_id=604, status=500, always=True)
        counters = await make_worker(app, config=FAST).run_until_idle(60)
        assert (counters.sent, counters.blocked, counters.failed, counters.rate_limited) == (4, 1, 1, 1)
        for chat_id in (601, 602, 605, 606):
            assert _texts(tg, chat_id) == [views.message_text(text, "telegram").replace("<i>", "").replace("</i>", "")]
        assert _texts(tg, 900) == [], "nobody outside the official's province"
        assert len(tg.per_chat_calls(602, "sendMessage")) == 2, "the 429 was retried once"
        assert len(tg.per_chat_calls(604, "sendMessage")) == 3, "the 500 was retried, then failed"
        async with app.sessionmaker() as s:
            blocked = (await s.execute(select(User.external_id).where(User.blocked))).scalars().all()
            announcement = (await s.execute(select(Announcement))).scalar_one()
        assert blocked == ["603"]
        assert len(_progress_messages(tg)) == 1, "ONE progress message, then edits"
        ref = int(announcement.progress_ref)
        edits = [c for c in tg.sent if c.method.lower() == "editmessagetext" and str(c.chat_id) == str(AUTHOR)
                 and int(c.params["message_id"]) == ref]
        assert edits, "the author's progress message was edited"
        final = next(m for m in tg.messages_to(AUTHOR) if m["message_id"] == ref)["text"]
        assert "Đã gửi xong thông báo" in final and "Đã gửi: 4/6" in final and "Lỗi: 2" in final
        tg.user_says(AUTHOR, "/thongbao")
        await _said(tg, AUTHOR, "Đã gửi 4/6, lỗi 2, còn lại 0")


async def test_the_author_cancels_while_it_runs_and_the_progress_message_says_so(database_url, engine):
    async with running_bot(database_url, engine, telegram_rate_per_second=10.0) as (app, tg):
        await _world(app, range(700, 740))
        await _announce(tg, "Lịch tiêm phòng cho đàn gia súc.")
        worker = asyncio.create_task(make_worker(app, config=FAST).run_until_idle(60))
        try:
            await tg.wait_for(lambda: sum(bool(_texts(tg, i)) for i in range(700, 740)) >= 5, timeout=20)
            tg.user_taps(AUTHOR, "announcements.queued|cancel")
            await _said(tg, AUTHOR, "Đã huỷ thông báo")
            await asyncio.wait_for(worker, 30)
        finally:
            worker.cancel()
        delivered = sum(bool(_texts(tg, i)) for i in range(700, 740))
        assert 5 <= delivered < 40
        async with app.sessionmaker() as s:
            statuses = (await s.execute(select(Delivery.status))).scalars().all()
            announcement = (await s.execute(select(Announcement))).scalar_one()
        assert statuses.count("sent") == delivered and statuses.count("cancelled") == 40 - delivered
        assert announcement.status == "cancelled"
        final = next(m for m in tg.messages_to(AUTHOR) if m["message_id"] == int(announcement.progress_ref))["text"]
        assert "Đã huỷ thông báo" in final


async def test_a_non_official_typing_the_command_over_telegram_learns_nothing(database_url, engine):
    async with running_bot(database_url, engine) as (app, tg):
        await _world(app, [601])
        tg.user_says(601, "/lenhla")
        await _said(tg, 601, "lenhla")
        tg.user_says(601, "/guithongbao")
        await _said(tg, 601, "guithongbao")
        unknown, answer = _texts(tg, 601)[-2:]
        assert answer.replace("guithongbao", "") == unknown.replace("lenhla", "")
        async with app.sessionmaker() as s:
            assert (await s.execute(select(Announcement))).first() is None

"""Zalo Bot API end to end: the whole app (installer, webhook route, polling) against a fake Zalo on 127.0.0.1."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from db.models import Delivery, MonthlyReport, User
from flows.announcements.outbox import create_announcement
from flows.engine.delivery import PermanentError, RetryLater, TransientError
from flows.engine.messages import Button, Document, Reply
from flows.join import invites
from flows.join.scope import Scope
from tests.announcements.helpers import add_users
from tests.channels.zalo_helpers import HOOK, SECRET, TOKEN, ZaloUser, bot_settings, running
from tests.fakes.telegram_api import TelegramFake
from tests.fakes.zalo_api import ZaloBotFake, post_zalo_update
from tests.registry import world

TAG = re.compile(r"</?(b|i|u|s|code|pre|a)\b[^>]*>")


async def _onboard(user: ZaloUser) -> None:
    question = await user.say("/start", "Bạn là ai")
    assert "Xin chào Chị Hoa" in question
    assert "1. " in question and "Trả lời bằng số" in question  # buttons became numbered options
    await user.say("1", "tỉnh/thành phố nào")
    await user.say("vinh long", "xã/phường nào")
    await user.say("long hiep", "thông báo")
    await user.say("có", "Bạn có đồng ý")  # the privacy notice's consent
    await user.say("1", "Menu chính")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_farmer_is_onboarded_over_zalo_by_typing_numbers_and_words(mode, database_url, engine, sessionmaker):
    async with ZaloBotFake(token=TOKEN, long_poll_cap=0.5) as zalo:
        async with running(database_url, zalo, webhook=mode == "webhook") as (_app, url):
            assert zalo.webhook["url"] == (HOOK if mode == "webhook" else "")
            user = ZaloUser(zalo, "u-100", webhook=url if mode == "webhook" else None)
            await _onboard(user)
        assert all(1 <= len(t) <= 2000 and not TAG.search(t) for t in user.received)
        assert "&lt;" not in "".join(user.received) and "&amp;" not in "".join(user.received)
    async with sessionmaker() as s:
        saved = (await s.execute(select(User).where(User.channel == "zalo"))).scalar_one()
    assert (saved.external_id, saved.display_name, saved.role, saved.onboarded) == ("u-100", "Chị Hoa", "nong_dan", True)
    assert saved.province_code == 86 and saved.commune_code is not None and saved.announcements is True


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_cooperative_head_sends_the_monthly_update_over_zalo(mode, database_url, engine, sessionmaker):
    async with sessionmaker() as session:
        coop = await world.coop(session, "HTX Đồng Tâm", reg="0101234567")
        code = (await invites.create_code(session, "reporter", None, cooperative_id=coop.id)).code
        await session.commit()
    async with ZaloBotFake(token=TOKEN, long_poll_cap=0.5) as zalo:
        async with running(database_url, zalo, webhook=mode == "webhook") as (_app, url):
            head = ZaloUser(zalo, "u-200", "Anh Tâm", webhook=url if mode == "webhook" else None)
            await head.say(f"/thamgia {code}", "HTX Đồng Tâm cho tháng 11/2026")
            await head.say("11/2026", "bao nhiêu thành viên")
            await head.say("25", "người lao động")
            await head.say("12 người", "Doanh thu")
            await head.say("1,5 tỷ", "Tình hình")
            await head.pick("Ổn định", "kiến nghị")
            await head.say("bỏ qua", "cần hỗ trợ")
            review = await head.say("1, 3", "Kiểm tra lại cập nhật tháng 11/2026")
            assert "Nhu cầu hỗ trợ: Vốn, Tiêu thụ sản phẩm" in review and "1. 📨 Gửi" in review
            receipt = await head.pick("Gửi", "Số biên nhận")
        assert not any(TAG.search(t) for t in head.received)
    async with sessionmaker() as s:
        report = (await s.execute(select(MonthlyReport))).scalar_one()
    assert f"Số biên nhận: {report.reference}" in receipt
    assert (report.period, report.members, report.workers, report.revenue, report.status, report.needs) == (
        "2026-11", 25, 12, 1_500_000_000, "on_dinh", ["von", "tieu_thu"])


async def test_a_wrong_or_missing_secret_gets_403_and_nothing_is_processed(database_url, engine, sessionmaker):
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (_app, url):
        update = zalo.user_says("u-7", "/start")
        assert await post_zalo_update(url, update, secret="wrong-secret-123") == 403
        assert await post_zalo_update(url, update, secret=None) == 403
        assert await post_zalo_update(url, update, secret=SECRET[:-1]) == 403
        async with sessionmaker() as s:
            assert (await s.execute(select(func.count()).select_from(User))).scalar_one() == 0
        assert zalo.messages_to("u-7") == []
        assert await post_zalo_update(url, update, secret=SECRET, wrapped=True) == 200  # {ok, result} accepted too
        await zalo.wait_for(lambda: any("Bạn là ai" in (c.text or "") for c in zalo.messages_to("u-7")))


def _malformed(zalo: ZaloBotFake) -> list[object]:
    """Bodies that are not a Zalo update: other JSON values, and updates whose parts have the wrong type."""
    update = zalo.user_says("u-6", "/start")
    zalo.updates.remove(update)
    message = update["message"]
    return [[], "x", None, 5, {"message": 5}, {"hello": "world"}, {"ok": True, "result": []},
            {**update, "message": {**message, "from": "u-6"}}, {**update, "message": {**message, "chat": ["u-6"]}},
            {**update, "message": {**message, "text": {"b": 1}}}, {**update, "event_name": 7},
            {**update, "message": {**message, "message_id": [1]}}, {"ok": True, "result": {**update, "message": "hi"}}]


async def test_malformed_webhook_bodies_get_400_and_nothing_is_processed(database_url, engine, sessionmaker):
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (_app, url):
        for body in _malformed(zalo):
            assert await post_zalo_update(url, body, secret=SECRET) == 400, body
        for raw in (b"{not json", b"[" * 100_000 + b"]" * 100_000, "\ud800".encode("utf-8", "surrogatepass")):
            assert await post_zalo_update(url, None, secret=SECRET, raw=raw) == 400
        event = {"event_name": "message.text.received", "message": {"chat": {}, "text": "hi"}}
        assert await post_zalo_update(url, event, secret=SECRET) == 200  # no sender: nothing to answer
        assert zalo.sent == []
        async with sessionmaker() as s:
            assert (await s.execute(select(func.count()).select_from(User))).scalar_one() == 0


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_redelivered_update_is_handled_once(mode, database_url, engine):
    async with ZaloBotFake(token=TOKEN, long_poll_cap=0.5) as zalo:
        async with running(database_url, zalo, webhook=mode == "webhook") as (_app, url):
            first = zalo.user_says("u-8", "/start")
            zalo.updates.remove(first)
            for _ in range(3):  # the same message id three times
                if mode == "webhook":
                    assert await post_zalo_update(url, first, secret=SECRET) == 200
                else:
                    zalo.updates.append(first)
                    zalo._notify()
            user = ZaloUser(zalo, "u-8", webhook=url if mode == "webhook" else None)
            await user.say("2", "tỉnh/thành phố nào")  # answered after the duplicates, in order
            assert sum("Bạn là ai" in t for t in user.received) == 1


async def test_images_and_stickers_get_a_polite_request_for_text_and_the_question_again(database_url, engine):
    async with ZaloBotFake(token=TOKEN, long_poll_cap=0.5) as zalo, running(database_url, zalo):
        user = ZaloUser(zalo, "u-9")
        await user.say("/start", "Bạn là ai")
        for send in (zalo.user_sends_image, zalo.user_sends_sticker):
            before = len(user.received)
            send("u-9")
            await zalo.wait_for(lambda b=before: len(user.received) >= b + 2)
            polite, again = user.received[before:before + 2]
            assert "chỉ đọc được tin nhắn chữ" in polite and "Bạn là ai" in again
        await user.say("nông dân", "tỉnh/thành phố nào")


async def test_polling_survives_server_errors_and_keeps_going(database_url, engine):
    async with ZaloBotFake(token=TOKEN, long_poll_cap=0.5) as zalo, running(database_url, zalo):
        zalo.inject(method="getUpdates", status=500, count=2)
        user = ZaloUser(zalo, "u-10")
        await user.say("/start", "Bạn là ai")
        assert [c.error_code for c in zalo.calls if c.method == "getUpdates"][:2] == [500, 500]


async def test_a_long_reply_is_split_under_2000_characters_at_sentence_ends_without_tags(database_url, engine):
    sentence = "Hợp tác xã hoạt động theo nguyên tắc <b>tự nguyện</b> &amp; bình đẳng. "
    reply = Reply(("<b>Điều lệ</b>\n" + sentence * 80).strip(), [Button("x.y|a", "Đồng ý"), Button("x.y|b", "Không")],
                  numbered=True)
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (app, _url):
        await app.channels["zalo"].deliver("u-11", [reply])
        pieces = [c.text for c in zalo.messages_to("u-11")]
    assert len(pieces) == 3 and all(len(p) <= 2000 for p in pieces)
    assert all(p.endswith("bình đẳng.") for p in pieces[:-1])  # cut after a sentence, not inside a word
    assert not any(TAG.search(p) for p in pieces) and all("& bình đẳng" in p for p in pieces)
    assert pieces[0].startswith("Điều lệ\n")
    assert pieces[-1].endswith("1. Đồng ý\n2. Không\n(Trả lời bằng số từ 1 đến 2, hoặc gõ chữ.)")
    assert " ".join(pieces).count("tự nguyện") == 80


async def test_a_file_is_replaced_by_a_note_on_how_to_get_it(database_url, engine):
    doc = Document("dieu-le.docx", b"PK...", caption="Dự thảo điều lệ & quy chế HTX")
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (app, _url):
        await app.channels["zalo"].deliver("u-12", [Reply("Dự thảo", document=doc)])
        (text,) = [c.text for c in zalo.messages_to("u-12")]
    assert "dieu-le.docx — Dự thảo điều lệ & quy chế HTX" in text and "Telegram" in text and not TAG.search(text)


@pytest.mark.parametrize(("status", "error"), [(429, RetryLater), (403, TransientError), (500, TransientError),
                                               (502, TransientError), (408, TransientError), (400, PermanentError),
                                               (404, PermanentError)])
@pytest.mark.parametrize("http_status", [None, 200])  # the error as the HTTP status, or inside a 200
async def test_send_turns_zalo_errors_into_delivery_outcomes_by_zalos_table(status, error, http_status, database_url,
                                                                             engine):
    async with ZaloBotFake(token=TOKEN, error_http_status=http_status) as zalo:
        async with running(database_url, zalo, webhook=True) as (app, _url):
            zalo.inject(method="sendMessage", chat_id="u-13", status=status)
            with pytest.raises(error):
                await app.senders["zalo"].send("u-13", "Thông báo")
            await app.senders["zalo"].send("u-13", "Thông báo")  # the fault was used up
        assert [c.ok for c in zalo.per_chat_calls("u-13")] == [False, True]


async def test_an_unreachable_zalo_is_a_transient_error(database_url, engine):
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (app, _url):
        app.senders["zalo"].url = "http://127.0.0.1:9/bot" + TOKEN + "/"  # nothing listens on port 9
        with pytest.raises(TransientError):
            await app.senders["zalo"].send("u-14", "Thông báo")


async def test_an_announcement_reaches_telegram_and_zalo_users_in_one_run(database_url, engine, sessionmaker):
    from bot.wiring.announcements import make_worker

    async with sessionmaker() as session, session.begin():
        await add_users(session, [
            {"channel": "telegram", "external_id": "42", "province_code": 86},
            {"channel": "zalo", "external_id": "u-1", "province_code": 86},
            {"channel": "zalo", "external_id": "u-2", "province_code": 86},
            {"channel": "zalo", "external_id": "u-3", "province_code": 1},  # outside the province
        ])
        ann = await create_announcement(session, None, Scope("province", 86), "Họp thành viên & bầu HĐQT lúc 8 < 9 giờ",
                                        {"kind": "everyone"})
    async with TelegramFake(token="123:ABC") as tg, ZaloBotFake(token=TOKEN) as zalo:
        settings = bot_settings(database_url, zalo, telegram_bot_token="123:ABC",
                             telegram_api_base_url=tg.base_url + "/bot")
        app = build_app(settings, parts=["telegram", "zalo"])
        try:
            for channel in app.channels.values():
                await channel.start_sending()
            counters = await make_worker(app).run_until_idle(60)
        finally:
            for channel in app.channels.values():
                await channel.stop_sending()
            await app.close()
        telegram = [c.text for c in tg.sent if c.method.lower() == "sendmessage"]
        zalo_texts = {str(c.chat_id): c.text for c in zalo.sent}
    assert counters.sent == 3
    assert len(telegram) == 1 and "&amp; bầu" in telegram[0] and "<i>" in telegram[0]  # HTML for Telegram
    assert set(zalo_texts) == {"u-1", "u-2"}
    for text in zalo_texts.values():
        assert text.startswith("Họp thành viên & bầu HĐQT lúc 8 < 9 giờ\n") and "/tatthongbao" in text and not TAG.search(text)
    async with sessionmaker() as s:
        rows = (await s.execute(select(Delivery).where(Delivery.announcement_id == ann.id))).scalars().all()
    assert {(d.channel, d.external_id, d.status) for d in rows} == {
        ("telegram", "42", "sent"), ("zalo", "u-1", "sent"), ("zalo", "u-2", "sent")}

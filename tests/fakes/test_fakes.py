"""The fake Telegram and Zalo servers, driven by the real clients the bot uses (PTB 22, aiohttp)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import TelegramFake, post_update
from tests.fakes.zalo_api import (
    ZaloBotFake,
    ZaloOAFake,
    oa_text_event,
    post_oa_event,
    post_zalo_update,
    sign_oa_event,
)

TOKEN = "123:ABC"


@pytest.fixture
async def tg():
    async with TelegramFake(token=TOKEN, long_poll_cap=2.0) as fake:
        yield fake


@pytest.fixture
async def bot(tg):
    async with Bot(TOKEN, base_url=tg.base_url + "/bot", base_file_url=tg.file_base_url) as client:
        yield client


def _keyboard(*ids: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(i.upper(), callback_data=i)] for i in ids])


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else value


# --- the Bot API as PTB sees it ---------------------------------------------------------------


async def test_ptb_initialises_against_the_fake_and_sees_its_bot_user(tg, bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123, "htx_test_bot", True)
    assert [c.method for c in tg.calls] == ["getMe", "getMe"]  # once by `async with Bot`, once here


async def test_a_message_with_buttons_comes_back_as_a_message_ptb_parses(tg, bot):
    first = await bot.send_message(42, "Chào bà con", reply_markup=_keyboard("founding", "faq"))
    second = await bot.send_message(42, "Tin thứ hai")
    other = await bot.send_message(7, "Tin ở chat khác")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private" and first.from_user.id == 123
    assert [b.callback_data for row in first.reply_markup.inline_keyboard for b in row] == ["founding", "faq"]
    assert second.reply_markup is None
    call = tg.sent[0]
    assert (call.method, call.chat_id, call.text) == ("sendMessage", 42, "Chào bà con")
    assert call.reply_markup["inline_keyboard"][1][0]["callback_data"] == "faq"
    assert [m["text"] for m in tg.messages_to(42)] == ["Chào bà con", "Tin thứ hai"]


async def test_html_is_parsed_into_plain_text_and_entities_like_telegram_does(tg, bot):
    message = await bot.send_message(5, "<b>Hợp tác xã</b> cần <i>ít nhất</i> 5 thành viên", parse_mode="HTML")
    assert message.text == "Hợp tác xã cần ít nhất 5 thành viên"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 10), ("italic", 15, 7)]
    assert tg.sent[0].text.startswith("<b>Hợp tác xã</b>")  # the call keeps what the bot sent
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(5, "<div>không hỗ trợ</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(5, "<b>chưa đóng", parse_mode="HTML")


async def test_the_api_limits_are_enforced(tg, bot):
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(5, "a" * 4097)
    await bot.send_message(5, "a" * 4096)
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(5, "x", reply_markup=_keyboard("d" * 65))
    with pytest.raises(BadRequest, match="(?i)text is empty"):
        await bot.send_message(5, "   ")
    assert [c.status for c in tg.per_chat_calls(5)] == [400, 200, 400, 400]


async def test_user_messages_arrive_through_get_updates_and_offset_confirms_them(tg, bot):
    tg.user_says(42, "/start", first_name="Lan")
    tg.user_says(42, "Tôi muốn lập HTX")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates] == ["/start", "Tôi muốn lập HTX"]
    start = updates[0].message
    assert start.from_user.first_name == "Lan" and start.chat.id == 42
    assert start.entities[0].type == "bot_command" and start.entities[0].length == 6
    assert updates[1].message.message_id == 2
    again = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert [u.message.text for u in again] == ["Tôi muốn lập HTX"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert tg.updates == []  # confirmed updates are dropped, as Telegram does


async def test_a_long_poll_returns_when_a_message_arrives(tg, bot):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_for(lambda: any(c.method == "getUpdates" for c in tg.calls))
    tg.user_says(9, "xin chào")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert [u.message.text for u in updates] == ["xin chào"]


async def test_a_long_poll_with_nothing_queued_ends_empty_at_the_fakes_cap():
    async with TelegramFake(token=TOKEN, long_poll_cap=0.1) as fake:
        async with Bot(TOKEN, base_url=fake.base_url + "/bot") as client:
            assert await asyncio.wait_for(client.get_updates(timeout=30), timeout=5) == ()


async def test_a_tap_is_a_callback_query_on_the_message_that_carried_the_button(tg, bot):
    sent = await bot.send_message(42, "Chọn loại hình", reply_markup=_keyboard("htx", "tht"))
    update = tg.user_taps(42, "tht")
    assert update["callback_query"]["message"]["message_id"] == sent.message_id
    (received,) = await bot.get_updates(timeout=0)
    query = received.callback_query
    assert (query.data, query.from_user.id, query.message.text) == ("tht", 42, "Chọn loại hình")
    assert await bot.answer_callback_query(query.id, text="Đã chọn")
    assert tg.answered_callbacks == [{"callback_query_id": query.id, "text": "Đã chọn", "show_alert": False}]
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(ValueError, match="no button"):
        tg.user_taps(42, "lien_hiep")


async def test_editing_a_message_changes_what_the_user_sees(tg, bot):
    sent = await bot.send_message(42, "Chọn tỉnh", reply_markup=_keyboard("hn", "hcm"))
    edited = await bot.edit_message_text("Đã chọn Hà Nội", chat_id=42, message_id=sent.message_id)
    assert edited.text == "Đã chọn Hà Nội" and edited.reply_markup is None and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("Đã chọn Hà Nội", chat_id=42, message_id=sent.message_id)
    await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id, reply_markup=_keyboard("lai"))
    (shown,) = tg.messages_to(42)
    assert shown["text"] == "Đã chọn Hà Nội" and shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "lai"
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("?", chat_id=42, message_id=99)


async def test_a_document_upload_is_recorded_with_its_name_and_bytes(tg, bot):
    data = b"PK\x03\x04 fake docx"
    message = await bot.send_document(42, document=data, filename="dieu-le-htx.docx", caption="Dự thảo điều lệ")
    assert message.document.file_name == "dieu-le-htx.docx" and message.caption == "Dự thảo điều lệ"
    call = tg.sent[-1]
    assert (call.method, call.document_name, call.document_bytes) == ("sendDocument", "dieu-le-htx.docx", data)
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == data


async def test_webhook_settings_and_commands_are_kept(tg, bot):
    await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Trợ giúp")])
    assert [c["command"] for c in tg.commands] == ["start", "help"]
    await bot.set_webhook("https://htx.example/tg", secret_token="s3cret-token")
    assert tg.webhook == {"url": "https://htx.example/tg", "secret_token": "s3cret-token"}
    assert (await bot.get_webhook_info()).url == "https://htx.example/tg"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_a_wrong_token_is_unauthorized_and_an_unknown_method_not_found(tg):
    stranger = Bot("999:WRONG", base_url=tg.base_url + "/bot")
    with pytest.raises(InvalidToken):
        await stranger.initialize()
    await stranger.shutdown()
    assert (tg.calls[-1].method, tg.calls[-1].status) == ("getMe", 401)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}/bot{TOKEN}/sendPigeon", json={}) as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{tg.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": 3, "text": "json"}) as response:
            body = await response.json()
    assert body["ok"] and body["result"]["text"] == "json" and body["result"]["chat"]["id"] == 3


# --- faults for delivery tests ----------------------------------------------------------------


async def test_a_429_becomes_retry_after_with_the_servers_delay(tg, bot):
    tg.inject(method="sendMessage", chat_id=42, status=429, retry_after=2)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "tin 1")
    assert _seconds(caught.value.retry_after) == 2
    await bot.send_message(42, "tin 1")  # the injection was used up
    assert [(c.status, c.ok) for c in tg.per_chat_calls(42)] == [(429, False), (200, True)]


async def test_a_blocked_user_gives_forbidden_for_that_chat_only_and_for_ever(tg, bot):
    tg.inject(method="sendMessage", chat_id=13, status=403, always=True)
    for _ in range(3):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(13, "tin")
    await bot.send_message(14, "tin")
    assert [c.chat_id for c in tg.sent] == [14]


async def test_a_fault_with_a_count_hits_exactly_that_many_calls(tg, bot):
    tg.inject(method="sendMessage", status=500, count=2)
    for chat in (1, 2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(chat, "tin")
    await bot.send_message(3, "tin")
    tg.inject(method="sendMessage", status=400, description="Bad Request: chat not found")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(4, "tin")
    assert [c.status for c in tg.calls if c.method == "sendMessage"] == [500, 500, 200, 400]


async def test_a_slow_answer_makes_the_client_time_out(tg):
    tg.inject(method="sendMessage", delay=3)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=tg.base_url + "/bot", request=request) as slow_client:
        with pytest.raises(TimedOut):
            await slow_client.send_message(42, "tin chậm")
    assert tg.per_chat_calls(42)[0].method == "sendMessage"


async def test_the_server_reports_per_chat_intervals_for_rate_limit_checks(tg, bot):
    for n in range(3):
        await bot.send_message(77, f"tin {n}")
        await bot.send_chat_action(78, "typing")
    assert len(tg.per_chat_calls(77)) == 3 and len(tg.per_chat_calls(78, "sendChatAction")) == 3
    gaps = tg.intervals(77)
    assert len(gaps) == 2 and all(gap >= 0 for gap in gaps)


async def test_wait_for_returns_the_predicates_value_or_raises_timeout_error(tg, bot):
    asyncio.get_running_loop().call_later(0.05, tg.user_says, 1, "muộn")
    assert await tg.wait_for(lambda: tg.updates, timeout=2) == tg.updates
    with pytest.raises(TimeoutError, match="not met within"):
        await tg.wait_for(lambda: tg.messages_to(1), timeout=0.05)


# --- the whole PTB stack: Application polling, and webhooks -----------------------------------


async def test_a_ptb_application_polls_the_fake_and_answers_a_conversation(tg):
    async def start(update: Update, context) -> None:
        await update.message.reply_text("Bạn muốn làm gì?", reply_markup=_keyboard("founding"))

    async def tapped(update: Update, context) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"Đã chọn: {update.callback_query.data}")

    app = ApplicationBuilder().token(TOKEN).base_url(tg.base_url + "/bot").build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(tapped))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            tg.user_says(42, "/start")
            await tg.wait_for(lambda: tg.messages_to(42), timeout=5)
            tg.user_taps(42, "founding")
            await tg.wait_for(lambda: tg.answered_callbacks and tg.messages_to(42)[0].get("edit_date"), timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    assert [m["text"] for m in tg.messages_to(42)] == ["Đã chọn: founding"]


async def test_post_update_delivers_to_a_webhook_with_the_secret_header():
    seen: list[tuple[str | None, dict]] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=200 if seen[-1][0] == "s3cret" else 403)

    url, runner = await _serve(webhook)
    try:
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}}
        assert await post_update(url, update, secret_token="s3cret") == 200
        assert await post_update(url, update) == 403
    finally:
        await runner.cleanup()
    assert seen == [("s3cret", update), (None, update)]


# --- Zalo Bot API ---------------------------------------------------------------------------------

ZALO_TOKEN = "1234567890:zalo-secret"


@pytest.fixture
async def zalo():
    async with ZaloBotFake(token=ZALO_TOKEN, long_poll_cap=0.2) as fake:
        yield fake


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


async def _zalo(http, zalo, method: str, token: str = ZALO_TOKEN, **body) -> tuple[int, dict]:
    async with http.post(f"{zalo.base_url}/bot{token}/{method}", json=body) as response:
        return response.status, await response.json()


async def test_zalo_get_updates_hands_over_one_update_at_a_time_then_408(http, zalo):
    zalo.redeliveries = 0
    zalo.user_says("u-100", "Xin chào", display_name="Chị Hoa")
    zalo.user_sends_image("u-100")
    _, first = await _zalo(http, zalo, "getUpdates", timeout="30")
    _, second = await _zalo(http, zalo, "getUpdates", timeout="30")
    _, third = await _zalo(http, zalo, "getUpdates", timeout="30")
    assert first["ok"] and first["result"]["event_name"] == "message.text.received"
    message = first["result"]["message"]
    assert message["text"] == "Xin chào" and message["from"] == {"id": "u-100", "display_name": "Chị Hoa",
                                                                  "is_bot": False}
    assert message["chat"] == {"id": "u-100", "chat_type": "PRIVATE"}
    assert isinstance(message["message_id"], str) and message["date"] > 10**12  # milliseconds
    assert second["result"]["event_name"] == "message.image.received"
    assert second["result"]["message"]["message_id"] != message["message_id"]
    assert third == {"ok": False, "error_code": 408, "description": "Request timeout"}


async def test_zalo_get_updates_hands_consumed_updates_back_at_once(http, zalo):
    zalo.long_poll_cap = 5
    first = zalo.user_says("u-1", "một")
    second = zalo.user_says("u-1", "hai")
    answers = [(await _zalo(http, zalo, "getUpdates", timeout="30"))[1] for _ in range(4)]
    status, empty = await _zalo(http, zalo, "getUpdates", timeout="0")
    assert [a["result"] for a in answers] == [first, second, first, second]  # no offset: each comes back once
    assert (status, empty["error_code"]) == (408, 408)


async def test_zalo_long_poll_wakes_when_a_message_arrives(http, zalo):
    zalo.long_poll_cap = 5
    poll = asyncio.create_task(_zalo(http, zalo, "getUpdates", timeout="30"))
    await zalo.wait_for(lambda: zalo.calls, timeout=2)
    zalo.user_sends_sticker("u-7")
    _, answer = await asyncio.wait_for(poll, timeout=5)
    assert answer["result"]["event_name"] == "message.sticker.received"


async def test_zalo_send_message_checks_the_text_length(http, zalo):
    _, ok = await _zalo(http, zalo, "sendMessage", chat_id="u-1", text="Chào anh")
    _, too_long = await _zalo(http, zalo, "sendMessage", chat_id="u-1", text="a" * 2001)
    _, empty = await _zalo(http, zalo, "sendMessage", chat_id="u-1", text="")
    assert ok["ok"] and isinstance(ok["result"]["message_id"], str)
    assert (too_long["ok"], too_long["error_code"], empty["error_code"]) == (False, 400, 400)
    await _zalo(http, zalo, "sendPhoto", chat_id="u-1", photo="https://example.invalid/a.jpg", caption="Ảnh")
    await _zalo(http, zalo, "sendChatAction", chat_id="u-1", action="typing")
    assert [(c.method, c.text) for c in zalo.messages_to("u-1")] == [("sendMessage", "Chào anh"),
                                                                     ("sendPhoto", "Ảnh")]
    assert [c.method for c in zalo.sent] == ["sendMessage", "sendPhoto", "sendChatAction"]


async def test_zalo_webhook_rules_and_get_updates_refused_while_one_is_set(http, zalo):
    status, none_set = await _zalo(http, zalo, "getWebhookInfo")
    assert (status, none_set["ok"], none_set["error_code"]) == (404, False, 404)  # as measured on the live service
    _, short = await _zalo(http, zalo, "setWebhook", url="https://htx.example/zalo", secret_token="short")
    _, plain = await _zalo(http, zalo, "setWebhook", url="http://htx.example/zalo", secret_token="long-enough")
    assert short["error_code"] == 400 and plain["error_code"] == 400
    _, ok = await _zalo(http, zalo, "setWebhook", url="https://htx.example/zalo", secret_token="long-enough")
    assert ok["result"]["url"] == "https://htx.example/zalo"
    _, info = await _zalo(http, zalo, "getWebhookInfo")
    assert info["result"]["url"] == "https://htx.example/zalo"
    _, refused = await _zalo(http, zalo, "getUpdates", timeout="1")
    assert refused["ok"] is False and refused["error_code"] == 409
    _, deleted = await _zalo(http, zalo, "deleteWebhook")
    _, empty = await _zalo(http, zalo, "getUpdates", timeout="1")
    assert deleted["ok"] and empty["error_code"] == 408
    status, nothing = await _zalo(http, zalo, "deleteWebhook")
    assert (status, nothing["error_code"]) == (404, 404)  # nothing to delete (assumed like getWebhookInfo)


async def test_zalo_wrong_token_unknown_method_and_injected_faults(http, zalo):
    status, body = await _zalo(http, zalo, "getMe", token="1:bad")
    assert (status, body["error_code"]) == (401, 401)  # errors come with the matching HTTP status
    _, me = await _zalo(http, zalo, "getMe")
    assert me["result"]["id"] == "1234567890"
    _, unknown = await _zalo(http, zalo, "sendCarrierPigeon")
    assert unknown["error_code"] == 404
    zalo.inject(method="sendMessage", chat_id="u-9", status=429, description="Too many requests", count=2)
    codes = [(await _zalo(http, zalo, "sendMessage", chat_id="u-9", text="tin"))[1].get("error_code")
             for _ in range(3)]
    assert codes == [429, 429, None]
    assert [c.ok for c in zalo.per_chat_calls("u-9")] == [False, False, True]


async def test_zalo_errors_can_come_inside_a_200(http):
    async with ZaloBotFake(token=ZALO_TOKEN, error_http_status=200) as lenient:
        status, body = await _zalo(http, lenient, "sendMessage", chat_id="u-1", text="")
    assert (status, body["error_code"]) == (200, 400)


async def test_post_zalo_update_sends_bare_or_wrapped_bodies_with_the_secret_header(zalo):
    seen: list[tuple[str | None, dict]] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=200)

    url, runner = await _serve(webhook)
    try:
        update = zalo.user_says("u-5", "Chào")
        assert await post_zalo_update(url, update, secret="long-enough") == 200
        assert await post_zalo_update(url, update, secret="long-enough", wrapped=True) == 200
    finally:
        await runner.cleanup()
    assert seen == [("long-enough", update), ("long-enough", {"ok": True, "result": update})]


# --- Zalo Official Account ----------------------------------------------------------------------


@pytest.fixture
async def oa():
    async with ZaloOAFake(app_id="4321", secret_key="oa-secret-key", access_token="access-0",
                          refresh_token="refresh-0") as fake:
        yield fake


async def _oa_send(http, oa, token: str, text: str = "Chào anh", user_id: str = "u-1") -> dict:
    body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
    async with http.post(f"{oa.openapi_base}/v3.0/oa/message/cs", json=body, headers={"access_token": token}) as r:
        assert r.status == 200
        return await r.json()


async def _oa_refresh(http, oa, refresh_token: str, secret_key: str = "oa-app-secret") -> dict:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "app_id": "4321"}
    async with http.post(f"{oa.oauth_base}/v4/oa/access_token", data=form, headers={"secret_key": secret_key}) as r:
        return await r.json()


async def test_oa_sends_with_a_valid_access_token_only(http, oa):
    ok = await _oa_send(http, oa, "access-0")
    assert ok["error"] == 0 and ok["message"] == "Success" and ok["data"]["message_id"]
    assert (await _oa_send(http, oa, "stolen"))["error"] == -216
    assert (await _oa_send(http, oa, "access-0", text="a" * 2001))["error"] == -201
    assert [(c.chat_id, c.text) for c in oa.sent] == [("u-1", "Chào anh")]


async def test_oa_refresh_tokens_are_single_use(http, oa):
    oa.expire_access_tokens()
    assert (await _oa_send(http, oa, "access-0"))["error"] == -220  # expired; -216 is for unknown tokens
    fresh = await _oa_refresh(http, oa, "refresh-0")
    assert fresh["expires_in"] == "90000" and fresh["refresh_token"] != "refresh-0"
    assert (await _oa_send(http, oa, fresh["access_token"]))["error"] == 0
    reused = await _oa_refresh(http, oa, "refresh-0")
    assert reused["error"] == -14014 and reused["error_name"] == "Invalid refresh token"
    wrong_secret = await _oa_refresh(http, oa, fresh["refresh_token"], secret_key="guess")
    assert wrong_secret["error"] == -14002
    oa_key = await _oa_refresh(http, oa, fresh["refresh_token"], secret_key="oa-secret-key")
    assert oa_key["error"] == -14002 and oa.refreshes_with_oa_key == 1  # the webhook key does not sign refreshes
    assert "access_token" in await _oa_refresh(http, oa, fresh["refresh_token"])
    assert (oa.refresh_calls, oa.reused_refresh_tokens) == (5, ["refresh-0"])


async def test_oa_faults_and_slow_answers(http, oa):
    oa.inject(method="send", chat_id="u-2", status=-32, description="Reached the limit", always=True)
    assert (await _oa_send(http, oa, "access-0", user_id="u-2"))["error"] == -32
    assert (await _oa_send(http, oa, "access-0", user_id="u-3"))["error"] == 0
    oa.inject(method="refresh", delay=3)
    with pytest.raises(asyncio.TimeoutError):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as impatient:
            await _oa_refresh(impatient, oa, "refresh-0")


def test_oa_signature_is_mac_of_app_id_body_timestamp_and_secret():
    signature = sign_oa_event("4321", b'{"a":1}', "1700000000000", "oa-secret-key")
    assert signature == "mac=" + hashlib.sha256(b'4321{"a":1}1700000000000oa-secret-key').hexdigest()


async def test_post_oa_event_signs_the_exact_bytes_it_sends():
    seen: list[tuple[str, bytes]] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.headers["X-ZEvent-Signature"], await request.read()))
        return web.Response(status=200)

    url, runner = await _serve(webhook)
    event = oa_text_event("4321", "u-1", "Xin chào", timestamp="1700000000000")
    try:
        assert await post_oa_event(url, event, app_id="4321", secret="oa-secret-key") == 200
        assert await post_oa_event(url, event, app_id="4321", secret="oa-secret-key", with_mac_prefix=False) == 200
    finally:
        await runner.cleanup()
    (with_prefix, raw), (bare, raw_again) = seen
    assert json.loads(raw) == event and raw == raw_again
    assert with_prefix == sign_oa_event("4321", raw, "1700000000000", "oa-secret-key") == "mac=" + bare


async def _serve(handler) -> tuple[str, web.AppRunner]:
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}/hook", runner

"""/dulieu over real HTTP: Telegram sends the JSON file; Zalo, which cannot, sends the file's text on request."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from bot.channels.telegram import TelegramChannel
from db.models.core import AuditLog, User
from tests.channels.zalo_helpers import TOKEN as ZALO_TOKEN
from tests.channels.zalo_helpers import ZaloUser, running
from tests.fakes.telegram_api import TelegramFake
from tests.fakes.zalo_api import ZaloBotFake

TG_TOKEN = "123:ABC"
TAG = re.compile(r"</?(b|i|u|s|code|pre|a)\b[^>]*>")


def _json(pieces: list[str]) -> dict | None:
    """The file from its pieces, once they have all come (pasted one after another, a line each)."""
    try:
        return json.loads("\n".join(pieces))
    except ValueError:
        return None


async def test_telegram_gets_the_message_and_the_json_file(bot_engine):
    async with TelegramFake(token=TG_TOKEN) as tg:
        channel = TelegramChannel(bot_engine, TG_TOKEN, base_url=tg.base_url + "/bot", poll_timeout=1)
        await channel.start()
        try:
            tg.user_says(42, "/dulieu", first_name="Hai")
            await tg.wait_for(lambda: any(c.method.lower() == "senddocument" for c in tg.calls), timeout=10)
        finally:
            await channel.stop()
    message = next(c.text for c in tg.calls if c.method.lower() == "sendmessage" and "Dữ liệu HTX Bot" in (c.text or ""))
    assert "mã 42" in message
    [file] = [c for c in tg.calls if c.method.lower() == "senddocument"]
    assert file.document_name == "du-lieu-htx-bot-2026-11-22.json" and "ở dạng JSON" in file.text
    data = json.loads(file.document_bytes)
    assert (data["users"]["channel"], data["users"]["external_id"], data["users"]["display_name"]) == (
        "telegram", "42", "Hai")


async def test_zalo_says_how_to_get_the_file_and_sends_its_text(database_url, engine, sessionmaker):
    async with ZaloBotFake(token=ZALO_TOKEN, long_poll_cap=0.5) as zalo, running(database_url, zalo):
        user = ZaloUser(zalo, "u-300", "Chị Lan")
        await user.say("/start", "Bạn là ai")
        async with sessionmaker() as s:  # a long history: the file needs several messages
            uid = await s.scalar(select(User.id).where(User.channel == "zalo", User.external_id == "u-300"))
            s.add_all([AuditLog(user_id=uid, action="faq.answered", detail={"entry": f"muc-{i}"}) for i in range(40)])
            await s.commit()
        said = await user.say("/dulieu", "/dulieu json")
        assert "Dữ liệu HTX Bot lưu về bạn" in said and "chưa cho phép bot gửi tệp" in said
        before = len(user.received)
        await user.say("/dulieu json", "Nội dung tệp")
        await zalo.wait_for(lambda: "Bạn là ai" in user.received[-1], timeout=10)  # then the question again
        pieces = user.received[before:]
    assert "du-lieu-htx-bot-2026-11-22.json" in pieces[0]
    data = _json(pieces[1:-1])
    assert len(pieces) > 3 and len(data["audit_log"]) == 41  # split over several messages, nothing lost
    assert (data["users"]["external_id"], data["users"]["display_name"]) == ("u-300", "Chị Lan")
    assert all(1 <= len(p) <= 2000 and not TAG.search(p) for p in user.received)

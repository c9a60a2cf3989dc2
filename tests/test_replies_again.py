"""Replies a crash cut off are not lost: the replies to a user's last message are committed with its
state, and when that message is handled again (the inbox takes it up again after a crash, or a web
page posts it again) they are sent again, while nothing in the conversation moves twice."""

from __future__ import annotations

from sqlalchemy import select, text

from db.models.core import Conversation, User
from flows.engine.messages import Incoming
from tests.chat import Chat


async def _conversation(sessionmaker, external_id: str) -> Conversation:
    async with sessionmaker() as s:
        return await s.scalar(select(Conversation).join(User, User.id == Conversation.user_id)
                              .where(User.external_id == external_id))


async def test_the_last_message_handled_again_gets_its_replies_again_and_moves_nothing(bot_engine, sessionmaker):
    chat = Chat(bot_engine, "again")
    await chat.send("/start")
    await chat.tap("nong_dan")
    answered = Incoming("test", "again", text="Vĩnh Long", message_id="lost-1")
    first = await bot_engine.handle(answered)
    before = await _conversation(sessionmaker, "again")
    bot_engine.store.forget("test", "again")  # a new process: the state comes from the database
    again = await bot_engine.handle(answered)
    assert [(r.text, r.buttons, r.numbered) for r in again] == [(r.text, r.buttons, r.numbered) for r in first]
    after = await _conversation(sessionmaker, "again")
    assert (after.step, after.version, after.answers) == (before.step, before.version, before.answers)
    assert after.answers["province_code"] == 86


async def test_an_earlier_message_handled_again_sends_nothing(bot_engine):
    chat = Chat(bot_engine, "older")
    await chat.send("/start")
    earlier = Incoming("test", "older", text="/menu", message_id="old-1")
    assert await bot_engine.handle(earlier)
    await chat.send("/huy")
    assert await bot_engine.handle(earlier) == []


async def test_a_file_is_not_kept_and_its_reply_says_to_ask_again(bot_engine, sessionmaker):
    chat = Chat(bot_engine, "file")
    await chat.send("/start")
    request = Incoming("test", "file", text="/dulieu", message_id="file-1")
    first = await bot_engine.handle(request)
    [document] = [r.document for r in first if r.document is not None]
    kept = (await _conversation(sessionmaker, "file")).last_replies
    assert kept["message_id"] == "file-1" and document.filename in str(kept)
    assert document.data.decode("utf-8")[:200] not in str(kept)  # the file's content is not kept
    again = await bot_engine.handle(request)
    assert len(again) == len(first) and all(r.document is None for r in again)
    assert any(f"Tệp <b>{document.filename}</b> chưa gửi tới bạn được" in r.text and "yêu cầu lại" in r.text
               for r in again)


async def test_a_conversation_without_kept_replies_holds_sql_null(bot_engine, sessionmaker):
    """So the retention job's `IS NOT NULL` finds only conversations that keep replies."""
    await bot_engine.handle(Incoming("test", "no-id", text="/start"))  # a message without an id keeps nothing
    async with sessionmaker() as s:
        nulls = await s.scalar(text("SELECT count(*) FROM conversations c JOIN users u ON u.id = c.user_id"
                                    " WHERE u.external_id = 'no-id' AND c.last_replies IS NULL"))
    assert nulls == 1

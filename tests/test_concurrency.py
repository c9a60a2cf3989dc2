"""Two engines (as two processes would) on one database never corrupt a conversation."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.catalog import all_flows
from db.models import Conversation
from flows.engine.engine import Engine
from flows.engine.messages import Incoming
from tests.chat import fixed_clock


async def test_two_engines_sharing_a_database_keep_the_conversation_whole(sessionmaker):
    a = Engine(sessionmaker, all_flows(), clock=fixed_clock())
    b = Engine(sessionmaker, all_flows(), clock=fixed_clock())
    await a.handle(Incoming("test", "shared", text="/start"))
    await b.handle(Incoming("test", "shared", text="nong dan"))  # b has no cache: reads a's write
    # a's cache is now stale (version behind): its write must be refused and redone on the fresh state
    replies = await a.handle(Incoming("test", "shared", text="vinh long"))
    assert "xã/phường nào" in replies[-1].text
    async with sessionmaker() as s:
        conv = (await s.execute(select(Conversation))).scalar_one()
    assert conv.step == "commune" and conv.answers["role"] == "nong_dan" and conv.answers["province_code"] == 86
    assert conv.version == 3


async def test_many_users_at_once_each_in_order(sessionmaker):
    engines = [Engine(sessionmaker, all_flows(), clock=fixed_clock()) for _ in range(2)]

    async def user(i: int) -> None:
        for j, text in enumerate(["/start", "nong dan", "ha noi", "/boqua", "co", "dong y"]):
            await engines[(i + j) % 2].handle(Incoming("test", f"c{i}", text=text, message_id=f"{i}-{j}"))

    await asyncio.gather(*(user(i) for i in range(20)))
    async with sessionmaker() as s:
        rows = (await s.execute(select(Conversation))).scalars().all()
    assert len(rows) == 20
    assert all(r.flow == "menu" and r.step == "main" for r in rows)


async def test_a_redelivered_message_is_handled_once(bot_engine):
    first = await bot_engine.handle(Incoming("test", "dup", text="/start", message_id="m1"))
    await bot_engine.handle(Incoming("test", "dup", text="/huy", message_id="m2"))
    again = await bot_engine.handle(Incoming("test", "dup", text="/start", message_id="m1"))
    assert first and again == []  # an earlier message: its replies left before the next one was handled


async def test_replies_to_one_user_leave_in_the_order_of_the_messages(bot_engine):
    sent: list[str] = []

    async def slow_network(replies):
        await asyncio.sleep(0.05)
        sent.append(replies[-1].text)

    async def fast_network(replies):
        sent.append(replies[-1].text)

    await asyncio.gather(bot_engine.handle(Incoming("test", "o1", text="/start"), deliver=slow_network),
                         bot_engine.handle(Incoming("test", "o1", text="nong dan"), deliver=fast_network))
    assert "Bạn là ai" in sent[0] and "tỉnh/thành phố nào" in sent[1]

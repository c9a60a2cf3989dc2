"""Typing invite codes in chat: /thamgia CODE, the menu path, wrong, used and expired codes, slowed guessing."""

import datetime as dt

from sqlalchemy import select

from db.base import utcnow
from db.models.core import User
from db.models.registry import Official, Reporter
from flows.join import invites
from flows.join.scope import Scope
from tests.chat import Chat
from tests.registry import world
from tests.registry.world import HANOI


async def _code(sessionmaker, **kwargs):
    async with sessionmaker() as session:
        if "scope" not in kwargs:
            kwargs["cooperative_id"] = (await world.coop(session, "HTX Đồng Tâm")).id
        kind = "official" if "scope" in kwargs else "reporter"
        code = (await invites.create_code(session, kind, None, **kwargs)).code
        await session.commit()
        return code


async def _linked(sessionmaker, external_id="u1"):
    async with sessionmaker() as session:
        user = await session.scalar(select(User).where(User.external_id == external_id))
        return (await session.scalars(select(Reporter.cooperative_id).where(Reporter.user_id == user.id))).all()


async def test_the_menu_path_asks_for_the_code_and_links_the_head(chat, sessionmaker):
    code = await _code(sessionmaker)
    await chat.send("/start")
    for _ in range(4):
        await chat.tap("_skip")
    await chat.tap("agree")  # the privacy notice's consent
    await chat.tap("monthly_report")
    assert "chưa được liên kết" in chat.last_text
    await chat.send(code)
    assert chat.said("Đã liên kết anh/chị với <b>HTX Đồng Tâm</b>", last=4)
    assert "cho tháng <b>11/2026</b>" in chat.last_text
    assert len(await _linked(sessionmaker)) == 1


async def test_thamgia_without_a_code_asks_for_it(chat, sessionmaker):
    code = await _code(sessionmaker)
    await chat.send("/thamgia")
    assert "mã mời" in chat.last_text
    await chat.send(f"  {code.lower()} ")
    assert chat.said("Đã liên kết")


async def test_a_used_code_and_an_expired_code_are_refused(bot_engine, sessionmaker):
    code = await _code(sessionmaker)
    first, second = Chat(bot_engine, "u1"), Chat(bot_engine, "u2")
    await first.send(f"/thamgia {code}")
    await first.send(f"/thamgia {code}")
    assert first.said("anh/chị đã dùng rồi")
    await second.send(f"/thamgia {code}")
    assert second.said("Mã này đã được dùng") and "mã mời" in second.last_text
    assert await _linked(sessionmaker, "u2") == []

    async with sessionmaker() as session:
        coop = await world.coop(session, "HTX Hết Hạn")
        old = await invites.create_code(session, "reporter", None, cooperative_id=coop.id,
                                        now=utcnow() - dt.timedelta(days=30))
        await session.commit()
    await second.send(f"/thamgia {old.code}")
    assert second.said("Mã này đã hết hạn")
    assert await _linked(sessionmaker, "u2") == []


async def test_repeated_wrong_codes_are_slowed_down_even_for_a_right_code(chat, sessionmaker):
    code = await _code(sessionmaker)
    await chat.send("/thamgia ZZZZZZZZ")
    assert chat.said("Mã này không đúng") and chat.said("còn 4 lần")
    for _ in range(4):
        await chat.send("ZZZZZZZZ")
    assert chat.said("đã nhập sai nhiều lần")
    await chat.send(f"/thamgia {code}")
    assert chat.said("xin đợi khoảng") and "Menu chính" in chat.last_text
    assert await _linked(sessionmaker) == []


async def test_an_official_code_grants_the_scope_and_opens_the_officials_menu(chat, sessionmaker):
    code = await _code(sessionmaker, scope=Scope("province", HANOI))
    await chat.send(f"/thamgia {code}")
    assert chat.said("đã được cấp quyền cán bộ", last=4) and chat.said("Thành phố Hà Nội", last=4)
    assert "Theo dõi cập nhật hằng tháng" in chat.last_text
    async with sessionmaker() as session:
        [official] = (await session.scalars(select(Official))).all()
        assert (official.scope_level, official.province_code) == ("province", HANOI)

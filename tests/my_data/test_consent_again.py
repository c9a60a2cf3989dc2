"""Someone onboarded before onboarding asked for consent is asked at their next menu, once: agreeing
records the consent and the menu follows; declining leads to the erasure's confirmation, and while
their data is kept the question comes back. Migration 0014 marks exactly those people."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.catalog import all_flows
from db.base import make_engine
from db.migrate import upgrade_async
from db.models.core import User
from db.models.privacy import Consent
from flows.engine.engine import Engine
from flows.engine.services import Services
from flows.faq import Knowledge
from flows.faq.assistant import Assistant
from tests.chat import Chat, fixed_clock
from tests.my_data.world import user_of

VINH_LONG = 86


async def _onboarded_before_consent(sessionmaker, chat: Chat) -> None:
    async with sessionmaker() as s:
        s.add(User(channel=chat.channel, external_id=chat.user, display_name="Ba Tư", role="nong_dan",
                   province_code=VINH_LONG, onboarded=True, consent_due=True))
        await s.commit()


async def _consents(sessionmaker) -> list[Consent]:
    async with sessionmaker() as s:
        return list((await s.scalars(select(Consent))).all())


async def test_the_next_menu_asks_once_and_agreeing_records_the_consent(chat, sessionmaker):
    await _onboarded_before_consent(sessionmaker, chat)
    await chat.send("/start")
    assert "Xin phép bạn về dữ liệu" in chat.last_text and "Hồ sơ của bạn vẫn còn nguyên" in chat.last_text
    assert "Vai trò, tỉnh/thành, xã/phường" in chat.last_text
    await chat.tap("details")
    assert "Ai được xem" in chat.last_text and "Luật Bảo vệ dữ liệu cá nhân" in chat.last_text
    await chat.send("dong y")
    assert chat.said("Menu chính")
    [consent] = await _consents(sessionmaker)
    assert consent.user_id == (await user_of(sessionmaker, chat)).id
    assert (await user_of(sessionmaker, chat)).consent_due is False
    await chat.send("/start")
    assert "Menu chính" in chat.last_text and "Xin phép" not in chat.last_text
    assert len(await _consents(sessionmaker)) == 1


async def test_declining_offers_erasure_and_the_question_returns_while_the_data_is_kept(chat, sessionmaker):
    await _onboarded_before_consent(sessionmaker, chat)
    await chat.send("/start")
    await chat.tap("decline")
    assert chat.said("Xóa dữ liệu của bạn?")  # /xoadulieu's confirmation
    await chat.tap("keep")
    assert chat.said("Xin phép bạn về dữ liệu")  # the menu asks again
    assert await _consents(sessionmaker) == [] and (await user_of(sessionmaker, chat)).province_code == VINH_LONG


async def test_a_question_typed_at_the_consent_question_is_answered_and_the_question_stays(sessionmaker):
    knowledge = Knowledge.load()
    bot = Engine(sessionmaker, all_flows(), clock=fixed_clock(),
                 services=Services(knowledge=knowledge, assistant=Assistant(knowledge)))
    chat = Chat(bot, "asks")
    await _onboarded_before_consent(sessionmaker, chat)
    await chat.send("/start")
    await chat.send("thanh lap htx can bao nhieu thanh vien")
    assert chat.said("ít nhất 5 thành viên chính thức")  # the assistant answers
    assert "Xin phép bạn về dữ liệu" in chat.last_text  # and the question is asked again
    assert await _consents(sessionmaker) == []
    await bot.close()


async def test_people_onboarded_before_the_consent_step_are_marked_by_the_migration(database_url):
    await upgrade_async(database_url, "0005_data_rights")
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            for external_id, onboarded in (("before", True), ("agreed", True), ("new", False)):
                await conn.execute(text("INSERT INTO users (channel, external_id, announcements, reminders, blocked,"
                                        " onboarded, created_at, last_seen) VALUES ('telegram', :e, true, true,"
                                        " false, :o, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                                   {"e": external_id, "o": onboarded})
            await conn.execute(text("INSERT INTO consents (user_id, notice_version, given_at) SELECT id,"
                                    " '2026-11-27', CURRENT_TIMESTAMP FROM users WHERE external_id = 'agreed'"))
            await conn.execute(text("INSERT INTO conversations (user_id, answers, history, recent_ids, failures,"
                                    " version, updated_at) SELECT id, '{}', '[]', '[]', 0, 0, CURRENT_TIMESTAMP"
                                    " FROM users"))
        await upgrade_async(database_url)
        async with engine.connect() as conn:
            due = dict((await conn.execute(text("SELECT external_id, consent_due FROM users"))).all())
            kept = [(await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                    for table in ("consents", "conversations")]
    finally:
        await engine.dispose()
    assert {k: bool(v) for k, v in due.items()} == {"before": True, "agreed": False, "new": False}
    assert kept == [1, 3]  # a migration of users never loses the rows that refer to them (SQLite rebuilds cascade)

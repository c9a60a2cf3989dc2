"""Onboarding says what is kept and why, and saves nothing until the person agrees; the consent is recorded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.base import utcnow
from db.models.core import Conversation, User
from db.models.privacy import Consent
from flows.engine.content import load_yaml
from tests.my_data.world import user_of

NOTICE_VERSION = load_yaml("privacy.yaml")["version"]


async def _consents(sessionmaker) -> list[Consent]:
    async with sessionmaker() as s:
        return list((await s.scalars(select(Consent))).all())


async def test_the_welcome_announces_the_question_and_the_notice_lists_what_and_why(chat, sessionmaker):
    await chat.send("/start")
    assert chat.said("mình lưu gì, để làm gì, và hỏi bạn có đồng ý không")
    await chat.send("nong dan")
    await chat.send("vinh long")
    await chat.send("long hiep")
    await chat.send("co")
    notice = chat.last_text
    assert "Trước khi lưu hồ sơ" in notice
    for what in ("Vai trò, tỉnh/thành, xã/phường", "Câu hỏi bạn gửi cán bộ", "Nhật ký sử dụng"):
        assert what in notice
    assert "tự động xóa sau 12 tháng" in notice and "/dulieu" in notice and "/xoadulieu" in notice
    assert [b.id.rpartition("|")[2] for b in chat.last.buttons][:3] == ["agree", "details", "decline"]
    assert (await user_of(sessionmaker, chat)).role is None  # nothing saved while the question is open


async def test_agreeing_saves_the_profile_and_records_the_time_and_the_notice_version(chat, sessionmaker):
    before = utcnow()
    await chat.send("/start")
    await chat.tap("nong_dan")
    for _ in range(3):
        await chat.tap("_skip")
    await chat.send("đồng ý")
    assert chat.said("Mình đã lưu hồ sơ") and "Menu chính" in chat.last_text
    person = await user_of(sessionmaker, chat)
    assert (person.role, person.onboarded) == ("nong_dan", True)
    [consent] = await _consents(sessionmaker)
    given = consent.given_at if consent.given_at.tzinfo else consent.given_at.replace(tzinfo=dt.UTC)
    assert (consent.user_id, consent.notice_version) == (person.id, NOTICE_VERSION)
    assert before <= given <= utcnow()


async def test_the_details_say_who_sees_the_data_the_rights_and_the_law(chat, sessionmaker):
    await chat.send("/start")
    for _ in range(4):
        await chat.tap("_skip")
    await chat.tap("details")
    details = chat.last_text
    assert "Ai được xem" in details and "không bán" in details
    assert "Luật Bảo vệ dữ liệu cá nhân 2025" in details and "Điều" not in details  # article numbers unverified
    assert "báo cáo tháng" in details.lower() and "không còn gắn với bạn" in details
    assert "27/11/2026" in details  # the notice's version
    assert "details" not in [b.id.rpartition("|")[2] for b in chat.last.buttons]
    await chat.tap("agree")
    assert len(await _consents(sessionmaker)) == 1


async def test_declining_saves_nothing_and_the_next_start_asks_again(chat, sessionmaker):
    await chat.send("/start")
    await chat.tap("chu_nhiem")
    await chat.send("can tho")
    await chat.tap("_skip")
    await chat.tap("_skip")
    await chat.send("không đồng ý")
    assert chat.said("không lưu</b> hồ sơ của bạn")
    person = await user_of(sessionmaker, chat)
    assert (person.role, person.province_code, person.onboarded) == (None, None, False)
    assert await _consents(sessionmaker) == []
    async with sessionmaker() as s:
        state = await s.get(Conversation, person.id)
    assert (state.flow, state.answers) == (None, {})  # the answers went with the conversation
    await chat.send("/start")
    assert "Bạn là ai" in chat.last_text


async def test_the_consent_cannot_be_skipped(chat, sessionmaker):
    await chat.send("/start")
    for _ in range(4):
        await chat.tap("_skip")
    assert "_skip" not in [b.id.rpartition("|")[2] for b in chat.last.buttons]
    await chat.send("/boqua")
    assert chat.said("không bỏ qua được")
    assert "Bạn có đồng ý" in chat.last_text
    assert not (await user_of(sessionmaker, chat)).onboarded


async def test_a_conversation_saved_mid_onboarding_before_the_consent_step_goes_on_to_it(chat, sessionmaker):
    async with sessionmaker() as s:  # as yesterday's version left it: at the commune question
        person = User(channel=chat.channel, external_id=chat.user, display_name="Ba Tư")
        s.add(person)
        await s.flush()
        s.add(Conversation(user_id=person.id, flow="onboarding", step="commune",
                           answers={"role": "nong_dan", "province_code": 86}, history=["role", "province"]))
        await s.commit()
    await chat.send("long hiep")
    assert "thông báo" in chat.last_text
    await chat.send("co")
    assert "Trước khi lưu hồ sơ" in chat.last_text
    await chat.tap("agree")
    assert chat.said("Mình đã lưu hồ sơ")
    saved = await user_of(sessionmaker, chat)
    assert (saved.role, saved.province_code, saved.onboarded) == ("nong_dan", 86, True)
    assert [c.user_id for c in await _consents(sessionmaker)] == [saved.id]

"""Questions typed in the farmer's own words in the running bot: answered, routed to a flow, or
answered in the middle of a flow before the flow goes on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.settings import Settings
from db.models import AuditLog, Conversation, User
from tests.chat import Chat, fixed_clock

VINH_LONG = 86


@pytest.fixture
async def app(engine, database_url):
    """The bot as `htxbot run` builds it, with the assistant installed, on the test database."""
    built = build_app(Settings(database_url=database_url), clock=fixed_clock(), parts=["assistant"])
    yield built
    await built.close()


@pytest.fixture
def chat(app):
    return Chat(app.engine)


async def _returning_user(sessionmaker, external_id="u1", province_code=VINH_LONG):
    """A user who finished onboarding earlier and has no flow running."""
    async with sessionmaker() as s:
        s.add(User(channel="test", external_id=external_id, display_name="Ba Tư", role="nong_dan",
                   province_code=province_code, onboarded=True))
        await s.commit()


async def _state(sessionmaker, external_id="u1"):
    async with sessionmaker() as s:
        return (await s.execute(select(Conversation).join(User, User.id == Conversation.user_id)
                                .where(User.external_id == external_id))).scalar_one()


async def test_a_newcomer_asking_what_an_htx_is_gets_the_answer_with_its_source(chat, sessionmaker):
    await chat.send("htx la gi")
    assert "ít nhất 5 thành viên chính thức" in chat.last_text
    assert "Nguồn: Luật Hợp tác xã 2023" in chat.last_text
    assert "kiểm tra ngày" in chat.last_text
    assert "/start" in chat.last_text  # onboarding is offered, not forced
    assert (await _state(sessionmaker)).flow is None
    await chat.send("/start")
    assert "Bạn là ai" in chat.last_text


async def test_a_newcomer_saying_hello_is_introduced_to_the_bot(chat):
    await chat.send("xin chào")
    assert "Bạn là ai" in chat.last_text


async def test_a_request_starts_its_flow_instead_of_explaining(chat, app, sessionmaker):
    await chat.send("toi muon lap htx")
    state = await _state(sessionmaker)
    if "founding" in app.engine.flows:
        assert state.flow == "founding"
    else:
        assert chat.said("«Thành lập HTX» đang được xây dựng")
        assert state.flow == "menu"
    async with sessionmaker() as s:
        assert await s.scalar(select(AuditLog.detail).where(AuditLog.action == "faq.task")) == {"entry": "lap-htx"}


async def test_a_question_typed_during_onboarding_is_answered_and_the_province_asked_again(chat, sessionmaker):
    await chat.send("/start")
    await chat.tap("nong_dan")
    assert "tỉnh/thành phố nào" in chat.last_text
    await chat.send("htx là gì?")
    assert chat.said("ít nhất 5 thành viên chính thức")
    assert chat.said("Nguồn: Luật Hợp tác xã 2023")
    assert chat.said("tiếp tục «Giới thiệu bản thân»")
    assert "tỉnh/thành phố nào" in chat.last_text
    state = await _state(sessionmaker)
    assert (state.flow, state.step, state.failures) == ("onboarding", "province", 0)
    await chat.send("vinh long")
    assert "xã/phường nào" in chat.last_text


async def test_a_wrong_answer_that_is_no_question_still_gets_the_steps_hint(chat, sessionmaker):
    await chat.send("/start")
    await chat.tap("nong_dan")
    await chat.send("xyzxyzxyz")
    assert "chưa tìm thấy tỉnh" in chat.last_text
    assert not chat.said("Nguồn:")
    assert (await _state(sessionmaker)).failures == 1


async def test_a_returning_user_gets_two_suggestions_as_buttons_and_can_tap_one(chat, sessionmaker):
    await _returning_user(sessionmaker)
    await chat.send("htx la gi")
    assert "Nguồn: Luật Hợp tác xã 2023" in chat.last_text
    assert "Bạn có thể muốn hỏi" in chat.last_text
    ids = [b.id for b in chat.last.buttons]
    assert ids == ["faq.answer|to-hop-tac", "faq.answer|lien-hiep"]
    await chat.tap("to-hop-tac")
    assert "hợp đồng hợp tác" in chat.last_text
    assert "Nguồn:" in chat.last_text
    assert all(b.id.startswith("faq.answer|") and b.id != "faq.answer|to-hop-tac" for b in chat.last.buttons)
    await chat.send("lập htx mất bao lâu?")  # a new question typed under an answer
    assert "ngày làm việc" in chat.last_text


async def test_the_menu_entry_invites_a_question_and_a_number_picks_a_suggestion(chat, sessionmaker):
    await chat.send("/start")
    for _ in range(4):
        await chat.tap("_skip")
    await chat.tap("agree")  # the privacy notice's consent
    await chat.tap("faq")
    assert "gõ câu hỏi" in chat.last_text
    await chat.send("thanh lap htx can may nguoi")
    assert "ít nhất 5 thành viên chính thức" in chat.last_text
    assert chat.last.buttons[0].id == "faq.answer|to-hop-tac"
    await chat.send("1")
    assert "hợp đồng hợp tác" in chat.last_text
    assert (await _state(sessionmaker)).step == "answer"


async def test_a_suggestion_worded_as_a_request_starts_its_flow(chat, app, sessionmaker):
    await _returning_user(sessionmaker)
    await chat.send("thanh lap htx can may nguoi")
    assert "faq.answer|lap-htx" in [b.id for b in chat.last.buttons]
    await chat.tap("lap-htx")
    expected = "founding" if "founding" in app.engine.flows else "menu"
    assert (await _state(sessionmaker)).flow == expected


async def test_an_old_suggestion_button_is_stale_after_the_user_moved_on(chat, sessionmaker):
    await _returning_user(sessionmaker)
    await chat.send("htx la gi")
    old = chat.last.buttons[0].id
    await chat.send("/huy")
    await chat.press_raw(old)
    assert chat.said("câu hỏi cũ")
    assert "Menu chính" in chat.last_text


async def test_a_lone_word_from_a_returning_user_is_not_sent_to_officials(chat, sessionmaker):
    await _returning_user(sessionmaker)
    await chat.send("ok")
    assert not chat.said("gửi câu hỏi này cho cán bộ")
    assert "Menu chính" in chat.last_text

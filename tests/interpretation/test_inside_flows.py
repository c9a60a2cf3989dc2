"""Inside a flow, a question is answered and the step asked again; a guess never changes what is
saved; plain answers ("dung", "ok", "ko co") mean what people mean (issue 13)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import FoundingPlan
from flows.join import invites
from tests.chat import Chat
from tests.interpretation.conftest import answered_entries, events, state_of
from tests.registry import world


async def _plan(sessionmaker) -> FoundingPlan:
    async with sessionmaker() as s:
        return (await s.execute(select(FoundingPlan))).scalar_one()


async def _founding_plan(chat: Chat) -> None:
    """Through the founding guide, typing every answer, to the saved plan's progress view."""
    for answer in ("/thanhlap", "hop tac xa", "6", "ca nhan", "nong nghiep", "1 ty", "100 trieu",
                   "Hợp tác xã Nông nghiệp Đồng Tâm"):
        await chat.send(answer)
    assert "Tiến độ thành lập" in chat.last_text


async def test_a_question_on_the_founding_plan_ticks_nothing(chat, sessionmaker):
    await _founding_plan(chat)
    await chat.send("von dieu le toi thieu la bao nhieu")
    assert chat.said("không quy định vốn điều lệ tối thiểu")
    assert "Tiến độ thành lập" in chat.last_text and "0/8 bước" in chat.last_text  # the plan view again
    assert (await _plan(sessionmaker)).progress == {}
    assert not await events(sessionmaker, "founding.step_ticked")  # nothing reached the officials' funnel
    state = await state_of(sessionmaker)
    assert (state.flow, state.step) == ("founding", "progress")


async def test_a_few_words_of_a_step_ask_before_ticking_it(chat, sessionmaker):
    await _founding_plan(chat)
    await chat.send("dieu le")
    assert "Ý bạn là «⬜ Dự thảo điều lệ" in chat.last_text
    assert (await _plan(sessionmaker)).progress == {}
    await chat.send("khong")
    assert (await _plan(sessionmaker)).progress == {}
    assert not await events(sessionmaker, "founding.step_ticked")
    await chat.send("dieu le")
    await chat.send("1")  # "yes, that one"
    assert (await _plan(sessionmaker)).progress == {"draft_charter": True}


async def test_a_step_named_by_its_number_is_ticked_at_once(chat, sessionmaker):
    await _founding_plan(chat)
    await chat.send("2")
    assert "1/8 bước" in chat.last_text
    assert [action for action, _ in await events(sessionmaker, "founding.step_ticked")] == ["founding.step_ticked"]


async def test_a_question_at_the_form_step_is_answered_and_the_form_asked_again(chat, sessionmaker):
    await chat.send("/thanhlap")
    assert "hình thức nào" in chat.last_text
    await chat.send("htx can von toi thieu bao nhieu")
    assert chat.said("không quy định vốn điều lệ tối thiểu")
    assert "hình thức nào" in chat.last_text
    assert "bao nhiêu hợp tác xã" not in chat.last_text
    state = await state_of(sessionmaker)
    assert (state.flow, state.step) == ("founding", "form") and "form" not in state.answers
    assert await answered_entries(sessionmaker) == ["von-toi-thieu"]
    await chat.send("hop tac xa")
    assert "bao nhiêu thành viên chính thức" in chat.last_text


async def test_a_number_inside_a_question_is_not_an_answer(chat, sessionmaker):
    await chat.send("/thanhlap")
    await chat.send("to hop tac")
    assert "bao nhiêu thành viên" in chat.last_text
    await chat.send("3 nguoi lap to hop tac dc ko")
    assert chat.said("từ 2 thành viên trở lên")
    state = await state_of(sessionmaker)
    assert (state.step, state.answers.get("members")) == ("members", None)


# ---- the monthly report's month ------------------------------------------------------------


async def _at_the_report_month(chat: Chat, sessionmaker) -> None:
    async with sessionmaker() as session:
        coop = await world.coop(session, "HTX Đồng Tâm", reg="0101234567")
        code = (await invites.create_code(session, "reporter", None, cooperative_id=coop.id)).code
        await session.commit()
    await chat.send(f"/thamgia {code}")
    assert 'Chọn "Đúng"' in chat.last_text and "tháng <b>11/2026</b>" in chat.last_text


@pytest.mark.parametrize("yes", ["dung", "ok", "Đúng", "dung roi", "Đúng ạ"])
async def test_the_suggested_month_takes_a_plain_yes(chat, sessionmaker, yes):
    await _at_the_report_month(chat, sessionmaker)
    await chat.send(yes)
    assert "bao nhiêu <b>thành viên</b>" in chat.last_text
    state = await state_of(sessionmaker)
    assert (state.flow, state.step) == ("monthly_report", "members")


async def test_another_month_is_still_typed_as_a_month(chat, sessionmaker):
    await _at_the_report_month(chat, sessionmaker)
    await chat.send("10/2026")
    assert "bao nhiêu <b>thành viên</b>" in chat.last_text
    assert (await state_of(sessionmaker)).answers["period"] == "2026-10"


@pytest.mark.parametrize("none", ["khong co", "ko co", "không có"])
async def test_no_needs_is_typed_as_none(chat, sessionmaker, none):
    await _at_the_report_month(chat, sessionmaker)
    for answer in ("dung", "25", "12", "1,5 ty", "on dinh", "bo qua"):
        await chat.send(answer)
    assert "cần <b>hỗ trợ</b> về mặt nào" in chat.last_text
    await chat.send(none)
    assert "Kiểm tra lại cập nhật tháng 11/2026" in chat.last_text
    assert (await state_of(sessionmaker)).answers["needs"] == []


@pytest.mark.parametrize("none", ["khong co", "ko co"])
async def test_no_foreign_members_is_typed_as_none(chat, sessionmaker, none):
    await chat.send("/thanhlap")
    await chat.send("lien hiep")
    await chat.send("4")
    assert "nước ngoài" in chat.last_text
    await chat.send(none)
    state = await state_of(sessionmaker)
    assert state.answers["has_foreign"] is False and state.step == "sector"


async def test_a_question_at_the_name_step_is_not_saved_as_the_name(chat, sessionmaker):
    for answer in ("/thanhlap", "to hop tac", "3", "ca nhan", "nong nghiep"):
        await chat.send(answer)
    assert "Tên dự kiến" in chat.last_text
    await chat.send("ten viet tat the nao")  # one the knowledge base answers
    assert chat.said("Nguồn:") and "Tên dự kiến" in chat.last_text
    await chat.send("dat ten to hop tac can luu y gi")  # one it may not: still no name
    assert "Tên dự kiến" in chat.last_text
    state = await state_of(sessionmaker)
    assert (state.step, state.answers.get("name")) == ("name", None)
    await chat.send("Tổ hợp tác Rau sạch Long Hiệp")
    assert "Tổ hợp tác Rau sạch Long Hiệp" in (await _plan(sessionmaker)).answers["name"]


async def test_a_request_for_another_flow_is_offered_not_started(chat, sessionmaker):
    await chat.send("/thanhlap")
    await chat.send("hop tac xa")
    await chat.send("toi muon lam bao cao thang")
    assert chat.said("Bạn muốn bắt đầu «Báo cáo tháng»?")
    assert "bao nhiêu thành viên chính thức" in chat.last_text  # the question again
    state = await state_of(sessionmaker)
    assert (state.flow, state.step, state.answers["form"]) == ("founding", "members", "hop_tac_xa")
    assert not await events(sessionmaker, "monthly_report.")
    await chat.send("bat dau bao cao thang")  # the button's label, typed on a text-only channel
    state = await state_of(sessionmaker)
    assert state.flow == "monthly_report"
    assert (state.suspended["flow"], state.suspended["step"]) == ("founding", "members")  # kept for later


async def test_a_question_typed_as_the_months_difficulties_is_answered_a_note_is_kept(chat, sessionmaker):
    await _at_the_report_month(chat, sessionmaker)
    for answer in ("dung", "25", "12", "1,5 ty", "on dinh"):
        await chat.send(answer)
    assert "khó khăn" in chat.last_text
    await chat.send("htx em thieu von mua phan thi muon vay o dau")
    assert chat.said("Nguồn:") and "khó khăn" in chat.last_text
    assert (await state_of(sessionmaker)).step == "difficulties"
    await chat.send("Muốn vay vốn mở rộng sản xuất, thiếu kho lạnh")
    state = await state_of(sessionmaker)
    assert state.step == "needs" and state.answers["difficulties"] == "Muốn vay vốn mở rộng sản xuất, thiếu kho lạnh"

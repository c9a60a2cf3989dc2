"""At the main menu ("…hoặc gõ câu hỏi của bạn") a question is a question, even with a menu word
inside it; a menu entry typed as itself still opens it; a near guess asks first (issue 13)."""

from __future__ import annotations

import pytest

from tests.interpretation.conftest import answered_entries, events, state_of

# (typed at the menu, the flow its menu word would have opened, the entries that answer it)
QUESTIONS = [
    ("giai the htx thi phai lam gi", "founding", None),
    ("nop ho so o huyen hay o xa vay ad", "profile", {"noi-nop-ho-so"}),
    ("bao cao thang gom nhung chi tieu gi", "monthly_report", {"chi-tieu-theo-doi", "bao-cao-thang"}),
    ("qd 298 cua tra vinh con ho tro htx ko", "eligibility", {"tra-vinh-298"}),
]


@pytest.mark.parametrize("typed, menu_word_of, entries", QUESTIONS, ids=[q[0] for q in QUESTIONS])
async def test_a_question_with_a_menu_word_inside_is_taken_as_a_question(chat, sessionmaker, typed, menu_word_of,
                                                                         entries):
    await chat.send(typed)
    state = await state_of(sessionmaker)
    assert state.flow == "faq"  # the question went to the knowledge base, not to the menu entry
    assert not await events(sessionmaker, f"{menu_word_of}.")
    assert not chat.said("chưa được liên kết")
    if entries is not None:
        answered = await answered_entries(sessionmaker)
        assert len(answered) == 1 and answered[0] in entries
        assert "Nguồn:" in chat.last_text


async def test_the_monthly_report_question_is_answered_with_what_the_update_asks(chat):
    await chat.send("bao cao thang gom nhung chi tieu gi")
    assert "doanh thu" in chat.last_text and "lao động" in chat.last_text


async def test_a_menu_entry_typed_as_itself_still_opens_it(chat, sessionmaker):
    await chat.send("lap htx")
    assert (await state_of(sessionmaker)).flow == "founding"
    assert "hình thức nào" in chat.last_text


async def test_a_menu_entry_typed_with_a_typo_still_opens_it(chat, sessionmaker):
    await chat.send("kiem tra ho tro")
    assert (await state_of(sessionmaker)).flow == "eligibility"


async def test_a_near_guess_asks_which_was_meant_and_opens_nothing_until_answered(chat, sessionmaker):
    await chat.send("bao cao nam")
    assert "Ý bạn là «📊 Báo cáo tháng»?" in chat.last_text
    assert [b.label for b in chat.last.buttons] == ["📊 Báo cáo tháng", "❌ Không phải"]
    assert chat.last.numbered  # text-only channels show "1. …", "2. …"
    state = await state_of(sessionmaker)
    assert (state.flow, state.step) == ("menu", "main")
    assert not await events(sessionmaker, "monthly_report.")
    await chat.send("dung roi")
    assert (await state_of(sessionmaker)).flow == "monthly_report"


@pytest.mark.parametrize("no", ["khong", "ko phai", "2"])
async def test_saying_no_to_the_guess_reads_the_text_as_a_question(chat, sessionmaker, no):
    await chat.send("bao cao nam")
    await chat.send(no)
    assert not await events(sessionmaker, "monthly_report.")
    assert "15/12" in chat.last_text  # the yearly update on the national system
    assert (await state_of(sessionmaker)).pending is None

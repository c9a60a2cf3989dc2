"""Small talk gets a short friendly reply in the bot's one voice ("mình", "bạn"), never an apology
or an offer to send it to an official, and the question being asked is asked again (issue 13)."""

from __future__ import annotations

import re

import pytest

from tests.chat import Chat
from tests.interpretation.conftest import events, returning_user, state_of

HANDOFF = ("cán bộ", "Xin lỗi", "chưa có câu trả lời")


def _friendly(reply: str) -> None:
    assert not any(word in reply for word in HANDOFF), reply
    assert not re.search(r"\b[Tt]ôi\b", reply), reply  # the bot says "mình"


@pytest.mark.parametrize("typed, says", [
    ("cam on ad nhieu", "Không có gì"),
    ("ban la ai", "Mình là <b>HTX Bot</b>"),
    ("chao ban", "Chào bạn"),
    ("Cảm ơn bạn nhé!", "Không có gì"),
    ("ok", "👍"),
    ("👍", "👍"),
    ("tam biet nhe", "hẹn gặp lại"),
])
async def test_small_talk_at_the_menu_gets_a_friendly_reply_and_the_menu(chat, sessionmaker, typed, says):
    await chat.send(typed)
    reply = chat.replies[-2].text
    assert says in reply
    _friendly(reply)
    assert "Menu chính" in chat.last_text
    state = await state_of(sessionmaker)
    assert (state.flow, state.step) == ("menu", "main")
    assert not await events(sessionmaker, "faq.")  # neither a question nor a hand-off


async def test_small_talk_with_no_flow_running_gets_the_reply_and_the_menu(bot, sessionmaker):
    await returning_user(sessionmaker, "terminal", "u2")
    back = Chat(bot, user="u2", channel="terminal")
    await back.send("cam on ad nhieu")
    assert back.said("Không có gì") and "Menu chính" in back.last_text
    _friendly(back.replies[0].text)
    assert not await events(sessionmaker, "faq.")


async def test_small_talk_inside_a_flow_is_answered_and_the_question_asked_again(chat, sessionmaker):
    await chat.send("/thanhlap")
    await chat.send("chao ban")
    assert chat.said("Chào bạn")
    assert "hình thức nào" in chat.last_text
    await chat.send("hop tac xa")
    assert "bao nhiêu thành viên chính thức" in chat.last_text
    await chat.send("cam on nhe")
    assert chat.said("Không có gì")
    assert "bao nhiêu thành viên chính thức" in chat.last_text
    state = await state_of(sessionmaker)
    assert (state.step, state.failures) == ("members", 0)


async def test_thanks_under_an_answer_is_not_a_new_question(chat, sessionmaker):
    await chat.send("htx can toi thieu bao nhieu thanh vien")
    assert "Nguồn:" in chat.last_text
    await chat.send("ok cam on")
    assert "Không có gì" in chat.last_text  # the answer is not repeated, nothing is offered to officials
    _friendly(chat.last_text)
    state = await state_of(sessionmaker)
    assert (state.flow, state.step) == ("faq", "answer")
    assert not await events(sessionmaker, "faq.unanswered")


async def test_a_greeting_from_someone_new_starts_the_introduction(bot, sessionmaker):
    newcomer = Chat(bot, user="new", channel="terminal")
    await newcomer.send("chao ban")
    assert newcomer.said("Mình là <b>HTX Bot</b>")
    assert "Bạn là ai" in newcomer.last_text

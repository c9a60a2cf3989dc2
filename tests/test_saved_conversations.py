"""Conversations saved by the release before the re-cut continue: flow, step and button ids are
stored in users' rows, so they must keep meaning the same thing."""

from __future__ import annotations

from sqlalchemy import insert

from db.models.core import Conversation, User
from tests.chat import Chat

# Rows as the release of 2026-11-22 (commit b52a9e3) wrote them.
SAVED = {
    "mid-onboarding": dict(flow="onboarding", step="province", answers={"role": "nong_dan"},
                           history=["role"], recent_ids=["m501:7"]),  # never a tests.chat id
    "founding-members": dict(flow="founding", step="members", answers={"form": "hop_tac_xa"},
                             history=["form"]),
    "menu-with-suspended-founding": dict(
        flow="menu", step="main", answers={}, history=[],
        suspended={"flow": "founding", "step": "members", "answers": {"form": "hop_tac_xa"}, "history": ["form"]}),
    "which-commune": dict(flow="onboarding", step="commune", answers={"role": "nong_dan", "province_code": 86},
                          history=["role", "province"], pending={"options": [["29506", "Xã Long Hiệp"]]}),
}


async def _saved(sessionmaker, user: str, onboarded: bool = False) -> None:
    async with sessionmaker() as s, s.begin():
        uid = (await s.execute(insert(User).values(channel="test", external_id=user, onboarded=onboarded,
                                                   role="nong_dan" if onboarded else None,
                                                   province_code=86 if onboarded else None)
                               .returning(User.id))).scalar_one()
        await s.execute(insert(Conversation).values(user_id=uid, version=3, **SAVED[user]))


async def test_a_farmer_saved_mid_onboarding_is_asked_for_the_commune_of_the_province_typed(bot_engine, sessionmaker):
    await _saved(sessionmaker, "mid-onboarding")
    chat = Chat(bot_engine, user="mid-onboarding")
    await chat.send("vinh long")
    assert "xã/phường nào" in chat.last_text


async def test_a_founding_plan_saved_at_the_members_step_still_checks_five_members(bot_engine, sessionmaker):
    await _saved(sessionmaker, "founding-members", onboarded=True)
    chat = Chat(bot_engine, user="founding-members")
    await chat.send("4")
    assert "5 thành viên" in "\n".join(r.text for r in chat.replies)


async def test_the_saved_continue_button_resumes_the_suspended_flow(bot_engine, sessionmaker):
    await _saved(sessionmaker, "menu-with-suspended-founding", onboarded=True)
    chat = Chat(bot_engine, user="menu-with-suspended-founding")
    await chat.press_raw("menu.main|_resume")  # a button of a keyboard sent before the re-cut
    await chat.send("4")
    assert "5 thành viên" in "\n".join(r.text for r in chat.replies)


async def test_a_saved_which_one_question_takes_its_offered_option(bot_engine, sessionmaker):
    await _saved(sessionmaker, "which-commune")
    chat = Chat(bot_engine, user="which-commune")
    await chat.press_raw("onboarding.commune|_pick:29506")
    assert "Xã Long Hiệp" not in chat.last_text and chat.said("thông báo")

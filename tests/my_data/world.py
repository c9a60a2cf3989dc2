"""A person who used every part of the bot, and their neighbour, for the data-rights tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models.core import User
from db.models.eligibility import EligibilityCheck
from db.models.questions import Question
from flows.founding.progress import save_plan
from flows.join.coops import link_reporter
from flows.monthly_report.reports import submit
from tests.chat import Chat, onboard
from tests.registry import world

VINH_LONG = 86


async def user_of(sessionmaker, chat: Chat) -> User:
    """The person behind a chat, as stored."""
    async with sessionmaker() as s:
        return (await s.execute(select(User).where(User.channel == chat.channel, User.external_id == chat.user)))\
            .scalar_one()


async def busy_person(chat: Chat, sessionmaker) -> dict[str, int]:
    """Onboard the chat's person, then give them a cooperative, a report, a question, a plan and a check.
    Returns the ids the tests look for."""
    await onboard(chat, role="chu nhiem", province="vinh long", commune="long hiep", announcements="co")
    person = await user_of(sessionmaker, chat)
    async with sessionmaker() as s:
        coop = await world.coop(s, "HTX Rau Sạch Long Hiệp", VINH_LONG, person.commune_code, reg="8601")
        await link_reporter(s, person.id, coop.id, "head")
        me = await s.get(User, person.id)
        receipt = await submit(s, me, coop, world.answers("2026-10", difficulties="Thiếu vốn mua giống"))
        s.add(Question(user_id=person.id, province_code=VINH_LONG, commune_code=person.commune_code,
                       text="Xã tôi có lớp tập huấn <kế toán> không?"))
        await save_plan(s, person.id, {"form": "hop_tac_xa", "members": 7})
        s.add(EligibilityCheck(user_id=person.id, checked_on=dt.date(2026, 11, 20),
                               outcomes={"nd113-dao-tao": "possibly"}))
        neighbour = await world.user(s, "Hàng xóm", province_code=VINH_LONG)
        s.add(Question(user_id=neighbour.id, province_code=VINH_LONG, text="Câu hỏi của người khác"))
        await s.commit()
    return {"user": person.id, "coop": coop.id, "neighbour": neighbour.id, "report": receipt.report.id}

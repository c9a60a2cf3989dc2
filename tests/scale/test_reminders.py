"""Reminders at a country's size: claimed in one statement per kind, recorded in bulk, sent paced like
announcements (a 429 pauses the channel and the letter goes again; a head of two cooperatives gets both)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select

from bot.wiring.reminders import MAX_RATE_LIMITED, paced
from db.models.registry import ReminderSent, Reporter
from flows.announcements.ratelimit import ChannelLimit, Limits
from flows.engine.delivery import RetryLater
from flows.join.coops import link_reporter
from flows.monthly_report.reminders import send_reminders
from flows.monthly_report.reports import submit
from tests.registry import world

DAY_5 = dt.date(2026, 11, 5)
FAST = Limits(channels={}, default=ChannelLimit(per_second=None, per_chat_seconds=0.05))


class Sender:
    """Records what it sends; answers 429 `limited` times to the users named."""

    def __init__(self, limited: dict[int, int] | None = None) -> None:
        self.sent: list[tuple[int, str]] = []
        self.limited = dict(limited or {})
        self.refusals = 0

    async def __call__(self, user, text) -> None:
        await asyncio.sleep(0)
        if self.limited.get(user.id, 0) > 0:
            self.limited[user.id] -= 1
            self.refusals += 1
            raise RetryLater(0.01)
        self.sent.append((user.id, text))


async def _silent(sessionmaker, n: int) -> list[int]:
    """n silent cooperatives with a head each, and one that reported; the heads' user ids."""
    async with sessionmaker() as session:
        heads = [(await world.head_of(session, await world.coop(session, f"HTX Im Lặng {i:02d}"))).id for i in range(n)]
        done = await world.coop(session, "HTX Đã Gửi")
        await submit(session, await world.head_of(session, done), done, world.answers(period="2026-10"))
        await session.commit()
    return heads


async def _coop_of(sessionmaker, head: int) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(Reporter.cooperative_id).where(Reporter.user_id == head))


async def test_every_silent_cooperative_is_claimed_at_once_and_its_heads_counted(sessionmaker):
    heads = await _silent(sessionmaker, 30)
    first = await _coop_of(sessionmaker, heads[0])
    async with sessionmaker() as session:
        deputy_head = await world.user(session)
        await link_reporter(session, deputy_head.id, first, "head")  # a second head of the first cooperative
        await session.commit()
    sender = Sender()
    summary = await send_reminders(sessionmaker, DAY_5, sender, deliver=paced(FAST))
    assert (summary.claimed, summary.sent, summary.released) == (30, 31, 0)
    assert sorted(u for u, _ in sender.sent) == sorted([*heads, deputy_head.id])
    async with sessionmaker() as session:
        counts = dict((await session.execute(
            select(ReminderSent.recipients, func.count()).group_by(ReminderSent.recipients))).all())
    assert counts == {1: 29, 2: 1}
    again = await send_reminders(sessionmaker, DAY_5, Sender(), deliver=paced(FAST))
    assert again.claimed == 0  # claimed once, whoever runs it next


async def test_a_429_pauses_the_channel_and_the_letter_goes_again(sessionmaker):
    heads = await _silent(sessionmaker, 5)
    sender = Sender(limited={heads[2]: 2})
    summary = await send_reminders(sessionmaker, DAY_5, sender, deliver=paced(FAST))
    assert sender.refusals == 2 and (summary.sent, summary.failed, summary.released) == (5, 0, 0)
    assert sorted(u for u, _ in sender.sent) == sorted(heads)


async def test_a_channel_that_keeps_refusing_leaves_the_claim_for_a_later_run(sessionmaker):
    heads = await _silent(sessionmaker, 3)
    sender = Sender(limited={heads[0]: MAX_RATE_LIMITED + 1})
    summary = await send_reminders(sessionmaker, DAY_5, sender, deliver=paced(FAST))
    assert (summary.claimed, summary.sent, summary.released) == (3, 2, 1)
    later = Sender()
    assert (await send_reminders(sessionmaker, DAY_5, later, deliver=paced(FAST))).sent == 1
    assert later.sent[0][0] == heads[0]


async def test_a_head_of_two_cooperatives_gets_both_letters_one_after_the_other(sessionmaker):
    async with sessionmaker() as session:
        head = await world.user(session)
        for name in ("HTX Một", "HTX Hai"):
            await link_reporter(session, head.id, (await world.coop(session, name)).id, "head")
        await session.commit()
    sender = Sender()
    summary = await send_reminders(sessionmaker, DAY_5, sender, deliver=paced(FAST))
    assert summary.sent == 2 and [u for u, _ in sender.sent] == [head.id, head.id]
    assert {text.split("</b>")[0].rsplit("<b>", 1)[-1] for _, text in sender.sent} == {"HTX Một", "HTX Hai"}

"""Reminder claims in bulk: claim every due reminder of a kind in one statement, read the heads to write to a
page at a time, and record what became of the letters in a few statements (flows/monthly_report/reminders.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import delete, exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models.core import User
from db.models.registry import Cooperative, MonthlyReport, ReminderSent, Reporter

MONTHLY = ("first", "second")
PAGE = 500  # claims whose heads are read at a time; ids per bulk statement (short turns for the event loop)


@dataclass(frozen=True, slots=True)
class Recipient:
    """A head to remind: the user id and where to reach them."""

    id: int
    channel: str
    external_id: str


class Outcome(StrEnum):
    """What became of one letter."""

    SENT = "sent"
    GONE = "gone"  # the user blocked the bot: marked blocked
    PASSING = "passing"  # a passing fault (timeout, 5xx, 429 too often, no sender here): may be tried again
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Letter:
    """One claimed reminder to one head; its words are made when it is sent."""

    claim: int  # reminders_sent.id
    cooperative_id: int
    cooperative: str
    form: str
    period: str
    kind: str
    recipient: Recipient
    today: dt.date

    @property
    def chat(self) -> Hashable:
        """Where it goes (deliveries pace each chat)."""
        return (self.recipient.channel, self.recipient.external_id)


@dataclass(slots=True)
class Summary:
    """What one run of send_reminders did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0
    sent_to: list[tuple[int, str, str, int]] = field(default_factory=list)  # (coop, period, kind, user)


def reminded_heads() -> tuple:
    """Conditions on Reporter and User: a cooperative's head who wants reminders and has not blocked the bot."""
    return (Reporter.role == "head", User.reminders.is_(True), User.blocked.is_(False))


def pending(period: str, kind: str) -> list:
    """Cooperatives owing a reminder of this kind: not claimed yet and, for a monthly one, silent for the period."""
    claimed = exists().where(ReminderSent.cooperative_id == Cooperative.id, ReminderSent.period == period,
                             ReminderSent.kind == kind)
    out = [~claimed]
    if kind in MONTHLY:
        out.append(~exists().where(MonthlyReport.cooperative_id == Cooperative.id, MonthlyReport.period == period))
    return out


async def claim_all(session: AsyncSession, period: str, kind: str, now: dt.datetime) -> list[tuple[int, int]]:
    """Claim every due reminder of a kind in one INSERT ... SELECT ... ON CONFLICT DO NOTHING; returns the
    (claim id, cooperative id) pairs this caller won (a parallel run wins the others)."""
    heads = exists().where(Reporter.cooperative_id == Cooperative.id, User.id == Reporter.user_id,
                           *reminded_heads())
    table = ReminderSent.__table__
    chosen = select(Cooperative.id, literal(period, table.c.period.type), literal(kind, table.c.kind.type),
                    literal(now, table.c.sent_at.type), literal(0)).where(heads, *pending(period, kind))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .from_select(["cooperative_id", "period", "kind", "sent_at", "recipients"], chosen)
        .on_conflict_do_nothing(index_elements=["cooperative_id", "period", "kind"])
        .returning(table.c.id, table.c.cooperative_id)
    )
    return [(claim, coop) for claim, coop in (await session.execute(statement)).all()]


async def letters_of(session: AsyncSession, claims: list[tuple[int, int]], period: str, kind: str,
                   today: dt.date) -> list[Letter]:
    """The letters of claimed reminders: one per head (reminders on, not blocked), heads read a page at a time."""
    out: list[Letter] = []
    by_coop = {coop: claim for claim, coop in claims}
    coops = sorted(by_coop)
    for start in range(0, len(coops), PAGE):
        query = (
            select(Cooperative.id, Cooperative.name, Cooperative.form, User.id, User.channel, User.external_id)
            .join(Reporter, Reporter.cooperative_id == Cooperative.id).join(User, User.id == Reporter.user_id)
            .where(Cooperative.id.in_(coops[start:start + PAGE]), *reminded_heads())
            .order_by(Cooperative.id, User.id)
        )
        out.extend(Letter(by_coop[cid], cid, name, form, period, kind, Recipient(uid, channel, external), today)
                   for cid, name, form, uid, channel, external in (await session.execute(query)).all())
    return out


async def record(sessionmaker: async_sessionmaker, claimed: list[int], letters: Sequence[Letter],
                  outcomes: Sequence[Outcome], summary: Summary) -> None:
    """Note how many heads got each reminder, release the claims nobody got for a passing fault (a later run
    tries again), and mark blocked the users who blocked the bot: a few bulk statements."""
    delivered = dict.fromkeys(claimed, 0)
    passing: set[int] = set()
    gone: list[int] = []
    for letter, outcome in zip(letters, outcomes, strict=True):
        if outcome is Outcome.SENT:
            delivered[letter.claim] += 1
            summary.sent += 1
            summary.sent_to.append((letter.cooperative_id, letter.period, letter.kind, letter.recipient.id))
            continue
        summary.failed += 1
        if outcome is Outcome.PASSING:
            passing.add(letter.claim)
        elif outcome is Outcome.GONE:
            gone.append(letter.recipient.id)
    release = sorted(c for c in passing if delivered[c] == 0)
    summary.released = len(release)
    counts: dict[int, list[int]] = {}
    for claim, n in delivered.items():
        if n:
            counts.setdefault(n, []).append(claim)
    table = ReminderSent.__table__
    async with sessionmaker() as session, session.begin():
        for ids in pages_of(release):
            await session.execute(delete(table).where(table.c.id.in_(ids)))
        for n, claims in counts.items():
            for ids in pages_of(claims):
                await session.execute(update(table).where(table.c.id.in_(ids)).values(recipients=n))
        for ids in pages_of(sorted(set(gone))):
            await session.execute(update(User).where(User.id.in_(ids)).values(blocked=True))


def pages_of(ids: list[int]) -> list[list[int]]:
    return [ids[start:start + PAGE] for start in range(0, len(ids), PAGE)]

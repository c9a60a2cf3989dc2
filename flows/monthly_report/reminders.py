"""Reminders to cooperative heads: last month's update not sent yet (a first one, then a second), and
the annual update on the national system, due no later than 15/12 (Thông tư 09/2024/TT-BKHĐT, Điều 6).

Each (cooperative, period, kind) is claimed in reminders_sent BEFORE anything is sent; the unique
key makes a second claim fail, so restarts and parallel processes never send a reminder twice. The
annual reminder is claimed as (cooperative, '<year>-12', 'annual'): once per year per cooperative.
The monthly update is the programme's own; the annual update is the legal duty.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models.core import User
from db.models.registry import Cooperative, MonthlyReport, ReminderSent, Reporter
from flows.engine.content import load_yaml, render
from flows.engine.delivery import RecipientGone, RetryLater, TransientError
from flows.monthly_report import periods

logger = logging.getLogger(__name__)

Send = Callable[[User, str], Awaitable[object]]
MONTHLY = ("first", "second")
ANNUAL = "annual"
ANNUAL_DEADLINE = (12, 15)  # (month, day): the annual update is due no later than 15/12, that day included


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """When reminders go out: the first on this day of the month, the second some days later; the annual
    one from this many days before its deadline up to the deadline itself."""

    first_day: int = 5
    second_after_days: int = 5
    annual_days_before: int = 14


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder to send: which cooperative, for which period, which kind, to which heads."""

    cooperative: Cooperative
    period: str
    kind: str
    users: list[User]


@dataclass(slots=True)
class Summary:
    """What one run of send_reminders did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0
    sent_to: list[tuple[int, str, str, int]] = field(default_factory=list)  # (coop, period, kind, user)


def kind_due(today: dt.date, settings: ReminderSettings) -> str | None:
    """'first' from first_day, 'second' from first_day + second_after_days, else None."""
    if today.day >= settings.first_day + settings.second_after_days:
        return "second"
    if today.day >= settings.first_day:
        return "first"
    return None


async def due_reminders(
    session: AsyncSession, today: dt.date, settings: ReminderSettings | None = None
) -> list[Due]:
    """Reminders due today and not yet claimed: heads (reminders on, not blocked) of silent cooperatives."""
    settings = settings or ReminderSettings()
    kind = kind_due(today, settings)
    if kind is None:
        return []
    period = periods.previous(periods.period_of(today))
    reported = exists().where(MonthlyReport.cooperative_id == Cooperative.id, MonthlyReport.period == period)
    claimed = exists().where(ReminderSent.cooperative_id == Cooperative.id, ReminderSent.period == period,
                             ReminderSent.kind == kind)
    query = (
        select(Cooperative, User)
        .join(Reporter, Reporter.cooperative_id == Cooperative.id)
        .join(User, User.id == Reporter.user_id)
        .where(Reporter.role == "head", User.reminders.is_(True), User.blocked.is_(False), ~reported, ~claimed)
        .order_by(Cooperative.id, User.id)
    )
    due: dict[int, Due] = {}
    for coop, user in (await session.execute(query)).all():
        due.setdefault(coop.id, Due(coop, period, kind, [])).users.append(user)
    return list(due.values())


def annual_deadline(today: dt.date, settings: ReminderSettings) -> dt.date | None:
    """The deadline of this year's annual update when `today` is in its reminder window, else None."""
    deadline = dt.date(today.year, *ANNUAL_DEADLINE)
    start = deadline - dt.timedelta(days=settings.annual_days_before)
    return deadline if start <= today <= deadline else None


async def due_annual(session: AsyncSession, today: dt.date, settings: ReminderSettings | None = None) -> list[Due]:
    """Annual-update reminders due today and not yet claimed this year: heads (reminders on, not
    blocked) of every cooperative on the list."""
    deadline = annual_deadline(today, settings or ReminderSettings())
    if deadline is None:
        return []
    period = f"{deadline.year:04d}-{deadline.month:02d}"
    claimed = exists().where(ReminderSent.cooperative_id == Cooperative.id, ReminderSent.period == period,
                             ReminderSent.kind == ANNUAL)
    query = (
        select(Cooperative, User)
        .join(Reporter, Reporter.cooperative_id == Cooperative.id)
        .join(User, User.id == Reporter.user_id)
        .where(Reporter.role == "head", User.reminders.is_(True), User.blocked.is_(False), ~claimed)
        .order_by(Cooperative.id, User.id)
    )
    due: dict[int, Due] = {}
    for coop, user in (await session.execute(query)).all():
        due.setdefault(coop.id, Due(coop, period, ANNUAL, [])).users.append(user)
    return list(due.values())


async def claim(session: AsyncSession, cooperative_id: int, period: str, kind: str) -> bool:
    """Claim a reminder (INSERT ... ON CONFLICT DO NOTHING); True only for the one caller that wins."""
    table = ReminderSent.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(cooperative_id=cooperative_id, period=period, kind=kind, sent_at=utcnow(), recipients=0)
        .on_conflict_do_nothing(index_elements=["cooperative_id", "period", "kind"])
        .returning(table.c.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def send_reminders(
    sessionmaker: async_sessionmaker,
    today: dt.date,
    send: Send,
    first_day: int = 5,
    second_after_days: int = 5,
    annual_days_before: int = 14,
) -> Summary:
    """Claim then send every due reminder, monthly and annual; one nobody received for a passing fault is released."""
    settings = ReminderSettings(first_day, second_after_days, annual_days_before)
    summary = Summary()
    async with sessionmaker() as session:
        due = await due_reminders(session, today, settings) + await due_annual(session, today, settings)
    for item in due:
        coop = item.cooperative
        async with sessionmaker() as session, session.begin():
            if item.kind in MONTHLY and await _reported(session, coop.id, item.period):
                continue
            if not await claim(session, coop.id, item.period, item.kind):
                continue
        summary.claimed += 1
        text = _text(item, today)
        delivered, passing = 0, 0
        for user in item.users:
            try:
                await send(user, text)
            except RecipientGone:
                await _block(sessionmaker, user.id)
                summary.failed += 1
            except (RetryLater, TransientError) as exc:
                logger.warning("reminder to user %s not delivered: %r", user.id, exc)
                passing += 1
                summary.failed += 1
            except Exception:
                logger.exception("reminder to user %s failed", user.id)
                summary.failed += 1
            else:
                delivered += 1
                summary.sent += 1
                summary.sent_to.append((coop.id, item.period, item.kind, user.id))
        await _record(sessionmaker, coop.id, item, delivered, release=delivered == 0 and passing > 0)
        summary.released += int(delivered == 0 and passing > 0)
    return summary


def _text(item: Due, today: dt.date) -> str:
    """The reminder's words (content/templates/reminders/<kind>.j2)."""
    coop = item.cooperative
    if item.kind == ANNUAL:
        deadline = dt.date(today.year, *ANNUAL_DEADLINE)
        forms = {f["id"]: f["name"] for f in load_yaml("registry/forms.yaml")["forms"]}
        return render("reminders/annual.j2", cooperative=coop.name,
                      form_noun=forms.get(coop.form, forms["hop_tac_xa"]).lower(),
                      deadline=f"{deadline:%d/%m/%Y}", days_left=(deadline - today).days,
                      data_from=f"{deadline.replace(year=deadline.year - 1):%d/%m/%Y}",
                      data_until=f"{deadline - dt.timedelta(days=1):%d/%m/%Y}")
    until = dt.date(today.year, today.month, periods.LAST_MONTH_UNTIL_DAY)
    return render(f"reminders/{item.kind}.j2", cooperative=coop.name, period=periods.display(item.period),
                  until=until.strftime("%d/%m/%Y"))


async def _reported(session: AsyncSession, cooperative_id: int, period: str) -> bool:
    query = select(MonthlyReport.id).where(MonthlyReport.cooperative_id == cooperative_id,
                                           MonthlyReport.period == period).limit(1)
    return await session.scalar(query) is not None


async def _record(sessionmaker: async_sessionmaker, cooperative_id: int, item: Due, delivered: int,
                  release: bool) -> None:
    """Note how many heads got the reminder, or release the claim so a later run may try again."""
    key = (ReminderSent.cooperative_id == cooperative_id, ReminderSent.period == item.period,
           ReminderSent.kind == item.kind)
    async with sessionmaker() as session, session.begin():
        if release:
            await session.execute(delete(ReminderSent).where(*key))
        else:
            await session.execute(update(ReminderSent).where(*key).values(recipients=delivered))


async def _block(sessionmaker: async_sessionmaker, user_id: int) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(blocked=True))

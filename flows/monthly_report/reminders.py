"""Reminders to cooperative heads: last month's update not sent yet (a first one, then a second), and
the annual update on the national system, due no later than 15/12 (Thông tư 09/2024/TT-BKHĐT, Điều 6).

Each (cooperative, period, kind) is claimed in reminders_sent BEFORE anything is sent; the unique
key makes a second claim fail, so restarts and parallel processes never send a reminder twice. The
annual reminder is claimed as (cooperative, '<year>-12', 'annual'): once per year per cooperative.
The monthly update is the programme's own; the annual update is the legal duty.

A run is a few statements whatever the country's size: one INSERT ... SELECT claims every due
reminder of a kind, the heads are read in pages, the letters go through a delivery (the app's is
paced like announcements: bot/wiring/reminders.py), and the outcomes are recorded in bulk.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models.core import User
from db.models.registry import Cooperative, Reporter
from flows.engine.content import load_yaml, render
from flows.engine.delivery import RecipientGone, RetryLater, TransientError
from flows.monthly_report import periods
from flows.monthly_report.reminder_store import (
    Letter,
    Outcome,
    Recipient,
    Summary,
    claim_all,
    letters_of,
    pending,
    record,
    reminded_heads,
)

logger = logging.getLogger(__name__)

ANNUAL = "annual"
ANNUAL_DEADLINE = (12, 15)  # (month, day): the annual update is due no later than 15/12, that day included
SLICE = 0.02  # seconds of sending between two turns of the event loop for others


Send = Callable[[Recipient, str], Awaitable[object]]


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


Deliver = Callable[[Sequence[Letter], Send], Awaitable[list[Outcome]]]


def kind_due(today: dt.date, settings: ReminderSettings) -> str | None:
    """'first' from first_day, 'second' from first_day + second_after_days, else None."""
    if today.day >= settings.first_day + settings.second_after_days:
        return "second"
    if today.day >= settings.first_day:
        return "first"
    return None


def annual_deadline(today: dt.date, settings: ReminderSettings) -> dt.date | None:
    """The deadline of this year's annual update when `today` is in its reminder window, else None."""
    deadline = dt.date(today.year, *ANNUAL_DEADLINE)
    start = deadline - dt.timedelta(days=settings.annual_days_before)
    return deadline if start <= today <= deadline else None


def due_kinds(today: dt.date, settings: ReminderSettings) -> list[tuple[str, str]]:
    """The (period, kind) pairs due today: last month's monthly reminder and, in its window, the annual one."""
    out = []
    if (kind := kind_due(today, settings)) is not None:
        out.append((periods.previous(periods.period_of(today)), kind))
    if (deadline := annual_deadline(today, settings)) is not None:
        out.append((f"{deadline.year:04d}-{deadline.month:02d}", ANNUAL))
    return out


async def _due(session: AsyncSession, period: str, kind: str) -> list[Due]:
    query = (
        select(Cooperative, User)
        .join(Reporter, Reporter.cooperative_id == Cooperative.id)
        .join(User, User.id == Reporter.user_id)
        .where(*reminded_heads(), *pending(period, kind))
        .order_by(Cooperative.id, User.id)
    )
    due: dict[int, Due] = {}
    for coop, user in (await session.execute(query)).all():
        due.setdefault(coop.id, Due(coop, period, kind, [])).users.append(user)
    return list(due.values())


async def due_reminders(session: AsyncSession, today: dt.date, settings: ReminderSettings | None = None) -> list[Due]:
    """Monthly reminders due today and not yet claimed: heads (reminders on, not blocked) of silent cooperatives."""
    kind = kind_due(today, settings or ReminderSettings())
    return [] if kind is None else await _due(session, periods.previous(periods.period_of(today)), kind)


async def due_annual(session: AsyncSession, today: dt.date, settings: ReminderSettings | None = None) -> list[Due]:
    """Annual-update reminders due today and not yet claimed this year: heads (reminders on, not
    blocked) of every cooperative on the list."""
    deadline = annual_deadline(today, settings or ReminderSettings())
    return [] if deadline is None else await _due(session, f"{deadline.year:04d}-{deadline.month:02d}", ANNUAL)


async def deliver_now(letters: Sequence[Letter], send: Send) -> list[Outcome]:
    """Send letters one after the other, unpaced (tests, a command line); the app paces them."""
    out, turn = [], time.monotonic() + SLICE
    for letter in letters:
        out.append(await send_one(letter, send))
        if time.monotonic() >= turn:  # a sender that never waits would hold the event loop
            await asyncio.sleep(0)
            turn = time.monotonic() + SLICE
    return out


async def send_one(letter: Letter, send: Send, *, retry_later: bool = False) -> Outcome:
    """Send one letter and say how it went; a 429 (RetryLater) is passing, or raised with `retry_later` for a
    paced delivery to retry."""
    try:
        await send(letter.recipient, _text(letter))
    except RecipientGone:
        return Outcome.GONE
    except RetryLater:
        if retry_later:
            raise
        return Outcome.PASSING
    except TransientError as exc:
        logger.warning("reminder to user %s not delivered: %r", letter.recipient.id, exc)
        return Outcome.PASSING
    except Exception:
        logger.exception("reminder to user %s failed", letter.recipient.id)
        return Outcome.FAILED
    return Outcome.SENT


async def send_reminders(
    sessionmaker: async_sessionmaker,
    today: dt.date,
    send: Send,
    first_day: int = 5,
    second_after_days: int = 5,
    annual_days_before: int = 14,
    *,
    deliver: Deliver = deliver_now,
) -> Summary:
    """Claim then send every due reminder, monthly and annual; one nobody received for a passing fault is released."""
    settings = ReminderSettings(first_day, second_after_days, annual_days_before)
    summary = Summary()
    letters: list[Letter] = []
    claimed: list[int] = []
    for period, kind in due_kinds(today, settings):
        async with sessionmaker() as session, session.begin():
            claims = await claim_all(session, period, kind, utcnow())
        async with sessionmaker() as session:
            letters += await letters_of(session, claims, period, kind, today)
        claimed += [claim for claim, _ in claims]
    summary.claimed = len(claimed)
    if not claimed:
        return summary
    outcomes = await deliver(letters, send)
    await record(sessionmaker, claimed, letters, outcomes, summary)
    return summary


def _text(letter: Letter) -> str:
    """The reminder's words (content/templates/reminders/<kind>.j2)."""
    today = letter.today
    if letter.kind == ANNUAL:
        deadline = dt.date(today.year, *ANNUAL_DEADLINE)
        forms = {f["id"]: f["name"] for f in load_yaml("registry/forms.yaml")["forms"]}
        return render("reminders/annual.j2", cooperative=letter.cooperative,
                      form_noun=forms.get(letter.form, forms["hop_tac_xa"]).lower(),
                      deadline=f"{deadline:%d/%m/%Y}", days_left=(deadline - today).days,
                      data_from=f"{deadline.replace(year=deadline.year - 1):%d/%m/%Y}",
                      data_until=f"{deadline - dt.timedelta(days=1):%d/%m/%Y}")
    until = dt.date(today.year, today.month, periods.LAST_MONTH_UNTIL_DAY)
    return render(f"reminders/{letter.kind}.j2", cooperative=letter.cooperative,
                  period=periods.display(letter.period), until=until.strftime("%d/%m/%Y"))

"""Month against month over the same cooperatives: a change counts only the cooperatives that sent an
update in both months, so fewer reports this month never reads as fewer members (issue 18)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models.registry import MonthlyReport
from flows.join.scope import Scope
from flows.monthly_report import overview, periods

FIGURES = ("members", "workers", "revenue")


@dataclass(frozen=True, slots=True)
class Comparison:
    """How many cooperatives reported in each month and in both, and the change over those in both."""

    period: str
    previous: str
    reported_now: int
    reported_before: int
    both: int
    change: dict[str, int]


async def same_cooperatives(session: AsyncSession, scope: Scope, period: str) -> Comparison:
    """The change from the previous month to `period`, summed over cooperatives that reported in both
    (one query: the latest updates of both months, each marked whether the other month has one too)."""
    before = periods.previous(period)
    r, other = MonthlyReport, aliased(MonthlyReport)
    in_both = exists().where(other.cooperative_id == r.cooperative_id,
                             other.period == case((r.period == period, before), else_=period))
    both = case((in_both, 1), else_=0)
    query = overview.latest(select(r.period, func.count(), func.sum(both),
                                   *(func.sum(case((in_both, getattr(r, name)), else_=0)) for name in FIGURES)),
                            scope, before, period).group_by(r.period)
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in (await session.execute(query)).all()}
    now, then = found.get(period, [0] * (2 + len(FIGURES))), found.get(before, [0] * (2 + len(FIGURES)))
    change = {name: now[2 + i] - then[2 + i] for i, name in enumerate(FIGURES)}
    return Comparison(period, before, now[0], then[0], now[1], change)

"""Month against month over the same cooperatives: a change counts only the cooperatives that sent an
update in both months, so fewer reports this month never reads as fewer members (issue 18)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models.registry import Cooperative, MonthlyReport
from flows.join.scope import Scope
from flows.monthly_report import overview, periods
from flows.monthly_report.reports import superseded

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


async def same_cooperatives(session: AsyncSession, scope: Scope, period: str,
                            totals: overview.Totals | None = None) -> Comparison:
    """The change from the previous month to `period`, summed over cooperatives that reported in both: the
    counts per month (from `totals` when the caller has them), then one join of the two months' latest updates."""
    before = periods.previous(period)
    totals = totals or await overview.totals(session, scope, period)
    previous, current = totals.previous, totals.current
    now, then = aliased(MonthlyReport), aliased(MonthlyReport)
    query = (
        select(func.count(), *(func.sum(getattr(now, name) - getattr(then, name)) for name in FIGURES))
        .select_from(now)
        .join(then, (then.cooperative_id == now.cooperative_id) & (then.period == before))
        .where(now.period == period, ~superseded(now, period), ~superseded(then, before))
    )
    if scope.level != "country":
        query = query.join(Cooperative, Cooperative.id == now.cooperative_id).where(
            scope.where(Cooperative.province_code, Cooperative.commune_code))
    both, *sums = (await session.execute(query)).one()
    change = {name: int(value or 0) for name, value in zip(FIGURES, sums, strict=True)}
    return Comparison(period, before, current.reporting, previous.reporting, int(both or 0), change)


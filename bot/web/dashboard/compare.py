"""Month against month over the same cooperatives: a change counts only the cooperatives that sent an
update in both months, so fewer reports this month never reads as fewer members (issue 18)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from flows.join.scope import Scope
from flows.monthly_report import periods
from flows.monthly_report.reports import latest_reports_between

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
    """The change from the previous month to `period`, summed over cooperatives that reported in both."""
    before = periods.previous(period)
    latest: dict[str, dict[int, object]] = {before: {}, period: {}}
    for coop, report in await latest_reports_between(session, scope, before, period):
        latest[report.period][coop.id] = report
    both = latest[period].keys() & latest[before].keys()
    change = {name: sum(getattr(latest[period][c], name) - getattr(latest[before][c], name) for c in both)
              for name in FIGURES}
    return Comparison(period, before, len(latest[period]), len(latest[before]), len(both), change)

"""What officials see of a period within their scope: who has reported, totals, difficulties and needs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from db.models.registry import Cooperative, MonthlyReport
from flows.join.coops import cooperatives_in
from flows.join.scope import Scope
from flows.monthly_report import periods
from flows.monthly_report.reports import latest_reports


@dataclass(frozen=True, slots=True)
class Compliance:
    """How many cooperatives of a scope sent the period's update, and which did not."""

    period: str
    expected: int
    reported: int
    missing: list[Cooperative]


@dataclass(frozen=True, slots=True)
class Sums:
    """Sums over the latest updates of one period."""

    period: str
    reporting: int = 0
    members: int = 0
    workers: int = 0
    revenue: int = 0


@dataclass(frozen=True, slots=True)
class Totals:
    """A period's sums, the previous period's, and the changes between them."""

    current: Sums
    previous: Sums

    @property
    def change(self) -> dict[str, int]:
        """Current minus previous, per number."""
        return {name: getattr(self.current, name) - getattr(self.previous, name)
                for name in ("reporting", "members", "workers", "revenue")}


@dataclass(frozen=True, slots=True)
class NeedsSummary:
    """The period's statuses and needs counted, and the updates that name a difficulty or need."""

    period: str
    statuses: Counter[str]
    needs: Counter[str]
    items: list[tuple[Cooperative, MonthlyReport]] = field(default_factory=list)


async def compliance(session: AsyncSession, scope: Scope, period: str) -> Compliance:
    """Reported against expected cooperatives of a scope for a period, with the missing ones."""
    everyone = await cooperatives_in(session, scope)
    sent = {coop.id for coop, _ in await latest_reports(session, scope, period)}
    missing = [coop for coop in everyone if coop.id not in sent]
    return Compliance(period, expected=len(everyone), reported=len(sent), missing=missing)


async def sums(session: AsyncSession, scope: Scope, period: str) -> Sums:
    """Members, workers and revenue summed over the latest updates of a period in a scope."""
    rows = await latest_reports(session, scope, period)
    return Sums(
        period, reporting=len(rows),
        members=sum(r.members for _, r in rows), workers=sum(r.workers for _, r in rows),
        revenue=sum(r.revenue for _, r in rows),
    )


async def totals(session: AsyncSession, scope: Scope, period: str) -> Totals:
    """A period's sums with the change against the previous month."""
    return Totals(await sums(session, scope, period), await sums(session, scope, periods.previous(period)))


async def difficulties_and_needs(session: AsyncSession, scope: Scope, period: str) -> NeedsSummary:
    """Statuses and needs counted, and every update naming a difficulty, a need or a hard time."""
    rows = await latest_reports(session, scope, period)
    items = [(c, r) for c, r in rows if r.difficulties or r.needs or r.status == "kho_khan"]
    return NeedsSummary(
        period,
        statuses=Counter(r.status for _, r in rows),
        needs=Counter(need for _, r in rows for need in r.needs),
        items=items,
    )

"""What officials see of a period within their scope: who has reported, totals, difficulties and needs.

Everything is counted and summed by the database (one GROUP BY per question, the scope applied in
every subquery), and lists come a page at a time, so a country's figures cost what a province's do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Select, case, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.registry import Cooperative, MonthlyReport
from flows.join.scope import Scope
from flows.monthly_report import periods
from flows.monthly_report.reports import latest_where

MISSING_PAGE = 100  # cooperatives per page of the "not reported yet" list
ITEMS_PAGE = 50  # updates per page of the "difficulties and needs" list


@dataclass(frozen=True, slots=True)
class Place:
    """Reported against expected for one province (country scope) or one commune (narrower scopes)."""

    province_code: int
    commune_code: int | None
    expected: int
    reported: int


@dataclass(frozen=True, slots=True)
class Compliance:
    """How many cooperatives of a scope sent the period's update, and one page of those that did not."""

    period: str
    expected: int
    reported: int
    missing: list[Cooperative]
    places: list[Place] = field(default_factory=list)

    @property
    def missing_total(self) -> int:
        """How many cooperatives have not sent it (all pages)."""
        return self.expected - self.reported


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
    """The period's statuses and needs counted, and one page of the updates naming a difficulty or need."""

    period: str
    statuses: Counter[str]
    needs: Counter[str]
    items: list[tuple[Cooperative, MonthlyReport]] = field(default_factory=list)
    items_total: int = 0


def latest(query: Select, scope: Scope, first: str, last: str, *, joined: bool = False) -> Select:
    """A query over MonthlyReport narrowed to the latest revisions of first..last inside a scope; joined to
    Cooperative here when the scope needs it and the query has not (`joined`)."""
    if scope.level != "country" and not joined:
        query = query.join(Cooperative, Cooperative.id == MonthlyReport.cooperative_id)
    return query.where(*latest_where(scope, first, last))


def reported_in(period: str):
    """Whether a cooperative (the outer Cooperative) sent any update for a period."""
    return exists().where(MonthlyReport.cooperative_id == Cooperative.id, MonthlyReport.period == period)


async def by_place(session: AsyncSession, scope: Scope, period: str) -> list[Place]:
    """Reported and expected cooperatives per province (country scope) or per commune, in one query."""
    keys = [Cooperative.province_code] + ([] if scope.level == "country" else [Cooperative.commune_code])
    sent = select(MonthlyReport.cooperative_id).where(MonthlyReport.period == period)
    if scope.level != "country":  # the scope inside the subquery too
        sent = sent.join(Cooperative, Cooperative.id == MonthlyReport.cooperative_id).where(
            scope.where(Cooperative.province_code, Cooperative.commune_code))
    sent = sent.distinct().subquery()
    query = (
        select(*keys, func.count(), func.count(sent.c.cooperative_id))
        .outerjoin(sent, sent.c.cooperative_id == Cooperative.id)
        .where(scope.where(Cooperative.province_code, Cooperative.commune_code))
        .group_by(*keys)
    )
    rows = (await session.execute(query)).all()
    return [Place(row[0], None if scope.level == "country" else row[1], int(row[-2]), int(row[-1])) for row in rows]


async def missing_page(session: AsyncSession, scope: Scope, period: str, *, limit: int = MISSING_PAGE,
                       offset: int = 0) -> list[Cooperative]:
    """One page (by name) of the scope's cooperatives that sent nothing for a period."""
    query = (
        select(Cooperative)
        .where(scope.where(Cooperative.province_code, Cooperative.commune_code), ~reported_in(period))
        .order_by(Cooperative.name, Cooperative.id).limit(limit).offset(offset)
    )
    return list((await session.scalars(query)).all())


async def compliance(session: AsyncSession, scope: Scope, period: str, *, limit: int = MISSING_PAGE,
                     offset: int = 0) -> Compliance:
    """Reported against expected cooperatives of a scope for a period, per place, with a page of the missing ones."""
    places = await by_place(session, scope, period)
    expected, reported = sum(p.expected for p in places), sum(p.reported for p in places)
    missing = await missing_page(session, scope, period, limit=limit, offset=offset) if reported < expected else []
    return Compliance(period, expected=expected, reported=reported, missing=missing, places=places)


async def sums_between(session: AsyncSession, scope: Scope, first: str, last: str) -> list[Sums]:
    """Members, workers and revenue summed per month over the latest updates of first..last (one GROUP BY);
    a month nobody reported in has zeros."""
    r = MonthlyReport
    query = latest(select(r.period, func.count(), func.sum(r.members), func.sum(r.workers), func.sum(r.revenue)),
                   scope, first, last).group_by(r.period)
    found = {row[0]: Sums(row[0], *(int(v or 0) for v in row[1:])) for row in (await session.execute(query)).all()}
    return [found.get(p, Sums(p)) for p in periods.between(first, last)]


async def sums(session: AsyncSession, scope: Scope, period: str) -> Sums:
    """Members, workers and revenue summed over the latest updates of a period in a scope."""
    return (await sums_between(session, scope, period, period))[0]


async def totals(session: AsyncSession, scope: Scope, period: str) -> Totals:
    """A period's sums with the change against the previous month."""
    previous, current = await sums_between(session, scope, periods.previous(period), period)
    return Totals(current, previous)


def _named_something():
    """An update naming a difficulty or a need, or saying times are hard."""
    return or_(func.coalesce(func.length(MonthlyReport.difficulties), 0) > 0,
               func.json_array_length(MonthlyReport.needs) > 0, MonthlyReport.status == "kho_khan")


async def difficulties_and_needs(session: AsyncSession, scope: Scope, period: str, *, limit: int = ITEMS_PAGE,
                                 offset: int = 0) -> NeedsSummary:
    """Statuses and needs counted, and one page (by name) of the updates naming a difficulty, a need or a hard time."""
    r = MonthlyReport
    named = func.sum(case((_named_something(), 1), else_=0))
    statuses = latest(select(r.status, func.count(), named), scope, period, period).group_by(r.status)
    expand = func.json_array_elements_text if session.get_bind().dialect.name == "postgresql" else func.json_each
    need = expand(r.needs).table_valued("value").alias("need")  # joined after monthly_reports: it reads its row
    needs = latest(select(need.c.value, func.count()).select_from(r), scope, period, period).join(need, true())
    listed = latest(select(Cooperative, r).join(Cooperative, Cooperative.id == r.cooperative_id), scope, period,
                    period, joined=True).where(_named_something())
    page = listed.order_by(Cooperative.name, Cooperative.id).limit(limit).offset(offset)
    counted = (await session.execute(statuses)).all()
    return NeedsSummary(
        period,
        statuses=Counter({status: int(n) for status, n, _ in counted}),
        needs=Counter({str(k): int(v) for k, v in (await session.execute(needs.group_by(need.c.value))).all()}),
        items=[(c, report) for c, report in (await session.execute(page)).all()],
        items_total=sum(int(named or 0) for _, _, named in counted),
    )

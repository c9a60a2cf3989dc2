"""The cooperatives of a scope with their latest update of a month, filtered, searched, sorted and a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.registry import Cooperative, MonthlyReport
from flows.engine.content import load_yaml
from flows.join.scope import Scope
from flows.monthly_report.reports import superseded


@dataclass(frozen=True, slots=True)
class Filters:
    """What an official narrowed the list to: form and sector ids, reported or not (None: both), a search text."""

    form: str = ""
    sector: str = ""
    reported: bool | None = None
    search: str = ""


def sorts() -> list[tuple[str, str]]:
    """The ways the list can be sorted, (id, Vietnamese label), the first being the default."""
    return [(s["id"], s["label"]) for s in load_yaml("registry/listing.yaml")["sorts"]]


def page_size() -> int:
    """Rows per page of a list on the dashboard."""
    return int(load_yaml("registry/listing.yaml")["page_size"])


async def cooperatives_page(session: AsyncSession, scope: Scope, period: str, filters: Filters, *, sort: str = "ten",
                            limit: int = 100, offset: int = 0) -> tuple[list[tuple[Cooperative, MonthlyReport | None]], int]:
    """One page of the scope's cooperatives matching the filters, each with its latest update of the period (or
    None), and how many match in all."""
    joined = ((MonthlyReport.cooperative_id == Cooperative.id) & (MonthlyReport.period == period)
              & ~superseded(MonthlyReport, period))
    conditions = [scope.where(Cooperative.province_code, Cooperative.commune_code)]
    if filters.form:
        conditions.append(Cooperative.form == filters.form)
    if filters.sector:
        conditions.append(Cooperative.sector == filters.sector)
    if filters.reported is not None:
        conditions.append(MonthlyReport.id.is_not(None) if filters.reported else MonthlyReport.id.is_(None))
    if filters.search:
        conditions.append(Cooperative.name.icontains(filters.search, autoescape=True)
                          | (Cooperative.registration_no == filters.search))
    base = select(Cooperative, MonthlyReport).outerjoin(MonthlyReport, joined).where(*conditions)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    order = {"thanh_vien": [MonthlyReport.members.desc().nulls_last()],
             "doanh_thu": [MonthlyReport.revenue.desc().nulls_last()]}.get(sort, [])
    page = base.order_by(*order, Cooperative.name, Cooperative.id).limit(limit).offset(offset)
    return [(coop, report) for coop, report in (await session.execute(page)).all()], int(total or 0)

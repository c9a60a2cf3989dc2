"""Facts the eligibility conversation need not ask: from a saved check, the profile, the founding plan,
the user's cooperative in the registry and its monthly reports, each with its source.

Later sources win: saved check < profile < founding plan < cooperative < monthly reports. Values
are JSON-ready as conversations and EligibilityCheck.facts store them; a date may be kept with
the precision it was given ('2023', '2023-03' or '2023-03-15') and counts as known only while
no rule's date threshold falls inside it (`for_evaluation`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.eligibility import EligibilityCheck
from db.models.registry import Cooperative, MonthlyReport
from flows.eligibility.evaluate import coerce_facts
from flows.eligibility.load import load_facts, load_programmes, resolver
from flows.eligibility.logic import comparisons, months_before, truth
from flows.engine.store import Profile
from flows.join.coops import linked_cooperatives
from flows.monthly_report import periods

try:  # the founding guide's saved plan, when that feature is installed
    from db.models.founding import FoundingPlan
except ImportError:  # pragma: no cover - depends on which features are present
    FoundingPlan = None

REPORT_MAX_AGE_MONTHS = 3  # an older monthly report does not tell how many members there are now
# Sector ids of the registry and of the founding guide -> the `sector` fact of the size classes
# (NĐ 113/2024 Điều 5: agriculture is nông, lâm, thủy sản, diêm nghiệp). Water supply and waste
# (moi_truong) are left unknown: which group Điều 5 puts them in is not settled here, so the user is asked.
_SECTOR = dict.fromkeys(("nong_nghiep", "thuy_san", "lam_nghiep", "diem_nghiep"), "nong_nghiep") | dict.fromkeys(
    ("cong_nghiep", "tieu_thu_cong_nghiep", "xay_dung"), "cong_nghiep_xay_dung") | dict.fromkeys(
    ("thuong_mai", "thuong_mai_dich_vu", "van_tai", "tin_dung", "khac"), "khac")
_FOUNDING_FACTS = {"form": "form", "province_code": "province_code", "members": "members_now"}


@dataclass
class Known:
    """Known facts by id, where each came from, and the cooperative they describe (if any)."""

    facts: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    cooperative: str | None = None

    def add(self, source: str, facts: Mapping[str, Any]) -> None:
        """Take these facts from a source (None values are ignored; invalid ones dropped)."""
        for fact_id, value in clean(facts).items():
            self.facts[fact_id] = value
            self.sources[fact_id] = source


def clean(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Only facts that content/facts.yaml knows, with values of the right type (others dropped)."""
    known = load_facts()
    out: dict[str, Any] = {}
    for fact_id, value in facts.items():
        if fact_id not in known or value is None:
            continue
        try:
            if known[fact_id].type == "date":
                date_range(value)
            else:
                coerce_facts({fact_id: value})
        except (TypeError, ValueError):
            continue
        out[fact_id] = value
    return out


async def head_cooperatives(session: AsyncSession, user_id: int) -> list[tuple[int, str]]:
    """The cooperatives the user is linked to as head, as (id, name)."""
    return [(coop.id, coop.name) for coop, role in await linked_cooperatives(session, user_id) if role == "head"]


async def last_check(session: AsyncSession, user_id: int) -> EligibilityCheck | None:
    """The user's latest saved check, or None."""
    query = (select(EligibilityCheck).where(EligibilityCheck.user_id == user_id)
             .order_by(EligibilityCheck.created_at.desc(), EligibilityCheck.id.desc()).limit(1))
    return await session.scalar(query)


async def known_facts(
    session: AsyncSession,
    profile: Profile,
    today: dt.date,
    *,
    cooperative_id: int | None = None,
    saved: Mapping[str, Any] | None = None,
) -> Known:
    """Every fact known before asking; the cooperative is the one given, or the user's only one as head."""
    known = Known()
    known.add("saved", saved or {})
    known.add("profile", {"province_code": profile.province_code, "sector": _SECTOR.get(profile.sector or "")})
    if FoundingPlan is not None:
        plan = await session.scalar(select(FoundingPlan).where(FoundingPlan.user_id == profile.id))
        if plan is not None:
            answers = plan.answers or {}
            facts = {fact: answers.get(key) for key, fact in _FOUNDING_FACTS.items()}
            known.add("founding", facts | {"sector": _SECTOR.get(answers.get("sector") or "")})
    heads = dict(await head_cooperatives(session, profile.id))
    if cooperative_id is None and len(heads) == 1:
        cooperative_id = next(iter(heads))
    if cooperative_id in heads:
        coop = await session.get(Cooperative, cooperative_id)
        known.cooperative = coop.name
        known.add("cooperative", {
            "form": coop.form, "province_code": coop.province_code, "sector": _SECTOR.get(coop.sector or ""),
            "registered": True if coop.registration_no else None,
        })
        known.add("report", await _from_reports(session, coop.id, today))
    return known


async def _from_reports(session: AsyncSession, cooperative_id: int, today: dt.date) -> dict[str, Any]:
    """Members now, 1 and 2 years ago, and a year's revenue, from the latest revision of each month."""
    last = periods.period_of(today)
    query = (select(MonthlyReport)
             .where(MonthlyReport.cooperative_id == cooperative_id, MonthlyReport.period <= last,
                    MonthlyReport.period >= periods.shift(last, -(24 + REPORT_MAX_AGE_MONTHS)))
             .order_by(MonthlyReport.period, MonthlyReport.revision))
    by_period = {r.period: r for r in (await session.scalars(query)).all()}  # later revisions win
    if not by_period:
        return {}
    latest = max(by_period)
    if latest < periods.shift(last, -REPORT_MAX_AGE_MONTHS):
        return {}
    facts: dict[str, Any] = {"members_now": by_period[latest].members}
    for fact, months in (("members_1y_ago", 12), ("members_2y_ago", 24)):
        earlier = by_period.get(periods.shift(latest, -months))
        if earlier is not None:
            facts[fact] = earlier.members
    year = [by_period.get(periods.shift(latest, -i)) for i in range(12)]
    if all(year):
        facts["revenue_year"] = sum(r.revenue for r in year)
    return facts


# ---- dates kept with their precision -----------------------------------------------------------


def date_range(value: Any) -> tuple[dt.date, dt.date]:
    """The first and last day a stored date covers: '2023' -> 1/1..31/12, '2023-03' -> March."""
    if isinstance(value, dt.date):
        return value, value
    parts = str(value).split("-")
    if len(parts) == 1:
        year = int(parts[0])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if len(parts) == 2:
        first = dt.date(int(parts[0]), int(parts[1]), 1)
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    day = dt.date.fromisoformat(str(value))
    return day, day


def straddled(fact_id: str, value: Any, today: dt.date) -> dt.date | None:
    """A date threshold of a programme in force that falls inside a partial date (None: precise enough)."""
    low, high = date_range(value)
    if low == high:
        return None
    programmes = load_programmes()
    resolve = resolver(programmes)
    for programme in programmes:
        if today < programme.valid.from_ or (programme.valid.to is not None and today > programme.valid.to):
            continue
        for comp in comparisons(programme.requires, resolve):
            if fact_id not in (comp.fact, comp.other) or comp.other is not None:
                continue
            if truth(comp, {fact_id: low}, today, resolve) != truth(comp, {fact_id: high}, today, resolve):
                return months_before(today, comp.months_ago) if comp.months_ago is not None else comp.value
    return None


def for_evaluation(stored: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """Stored facts as evaluate() takes them; a partial date that a threshold splits stays unknown."""
    facts = load_facts()
    out: dict[str, Any] = {}
    for fact_id, value in clean(stored).items():
        if facts[fact_id].type == "date":
            if straddled(fact_id, value, today) is not None:
                continue
            value = date_range(value)[0]
        out[fact_id] = value
    return out

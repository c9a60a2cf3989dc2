"""Monthly updates: checking and submitting a revision, and reading the latest revisions within a scope.

The update is the programme's own; the legal duty is the annual update on the national system by
15/12 (Thông tư 09/2024/TT-BKHĐT, Điều 6), which this does not replace. The caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.base import utcnow
from db.models.core import User
from db.models.registry import Cooperative, MonthlyReport
from flows.engine.content import load_yaml, render
from flows.join.coops import reporter_role
from flows.join.scope import Scope
from flows.monthly_report import periods

NUMBERS = ("members", "workers", "revenue")


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    NOT_LINKED = "not_linked"
    OUT_OF_BOUNDS = "out_of_bounds"
    NEEDS_CONFIRMATION = "needs_confirmation"


@dataclass(frozen=True, slots=True)
class Answers:
    """What a reporter answered for one period."""

    period: str
    members: int
    workers: int
    revenue: int
    status: str
    status_note: str | None = None
    difficulties: str | None = None
    needs: list[str] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Answers:
        """Answers from a flow's saved answers (missing optional keys are empty)."""
        return cls(
            period=data["period"], members=int(data["members"]), workers=int(data["workers"]),
            revenue=int(data["revenue"]), status=data["status"], status_note=data.get("status_note") or None,
            difficulties=data.get("difficulties") or None, needs=list(data.get("needs") or []),
        )


@dataclass(frozen=True, slots=True)
class Change:
    """A number that moved by more than the allowed share since the last report."""

    field: str
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class Submission:
    """The result of submit(): the stored report on success, or why not, with the Vietnamese reply."""

    outcome: Outcome
    text: str
    report: MonthlyReport | None = None
    problems: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def bounds() -> dict[str, Any]:
    """The plausibility bounds (content/registry/bounds.yaml)."""
    return load_yaml("registry/bounds.yaml")


def check_number(name: str, value: int) -> str | None:
    """Why a number is out of bounds (Vietnamese), or None when it is fine; used per question too."""
    limits = bounds()[name]
    if limits["min"] <= value <= limits["max"]:
        return None
    return render("monthly_report/out_of_range.j2", field=name, value=value, min=limits["min"], max=limits["max"])


def problems_of(answers: Answers) -> list[str]:
    """Every reason (Vietnamese) why answers cannot be stored as they are."""
    choices = load_yaml("registry/monthly.yaml")
    out = [reason for name in NUMBERS if (reason := check_number(name, getattr(answers, name)))]
    if periods.parse(answers.period) != answers.period:
        out.append(render("monthly_report/bad_choice.j2", field="period"))
    if answers.status not in {s["id"] for s in choices["statuses"]}:
        out.append(render("monthly_report/bad_choice.j2", field="status"))
    if set(answers.needs) - {n["id"] for n in choices["needs"]}:
        out.append(render("monthly_report/bad_choice.j2", field="needs"))
    limit = bounds()["text_max_chars"]
    for name in ("status_note", "difficulties"):
        if len(getattr(answers, name) or "") > limit:
            out.append(render("monthly_report/too_long.j2", field=name, limit=limit))
    return out


async def last_report(session: AsyncSession, cooperative_id: int, period: str) -> MonthlyReport | None:
    """The cooperative's most recent report for this period or an earlier one."""
    query = (
        select(MonthlyReport)
        .where(MonthlyReport.cooperative_id == cooperative_id, MonthlyReport.period <= period)
        .order_by(MonthlyReport.period.desc(), MonthlyReport.revision.desc())
        .limit(1)
    )
    return await session.scalar(query)


def big_changes(before: MonthlyReport | None, answers: Answers) -> list[Change]:
    """Members or workers that moved by more than the allowed share (a zero before is not compared)."""
    if before is None:
        return []
    ratio = bounds()["confirm_change_ratio"]
    out = []
    for name in ("members", "workers"):
        old, new = getattr(before, name), getattr(answers, name)
        if old > 0 and abs(new - old) > ratio * old:
            out.append(Change(name, old, new))
    return out


async def submit(
    session: AsyncSession,
    user: User,
    cooperative: Cooperative,
    answers: Answers | Mapping[str, Any],
    *,
    confirmed: bool = False,
    now: dt.datetime | None = None,
) -> Submission:
    """Store a new revision of a cooperative's update for a linked reporter and return the receipt."""
    if not isinstance(answers, Answers):
        answers = Answers.from_mapping(answers)
    if await reporter_role(session, user.id, cooperative.id) is None:
        return Submission(Outcome.NOT_LINKED, render("monthly_report/not_linked.j2", cooperative=cooperative.name))
    problems = problems_of(answers)
    if problems:
        return Submission(Outcome.OUT_OF_BOUNDS, render("monthly_report/refused.j2", problems=problems), problems=problems)
    changes = big_changes(await last_report(session, cooperative.id, answers.period), answers)
    if changes and not confirmed:
        text = render("monthly_report/confirm_change.j2", changes=changes)
        return Submission(Outcome.NEEDS_CONFIRMATION, text, changes=changes)
    report = await _insert_revision(session, user, cooperative, answers, now or utcnow())
    text = render("monthly_report/receipt.j2", cooperative=cooperative.name, report=report,
                  period=periods.display(report.period), **_annual())
    return Submission(Outcome.ACCEPTED, text, report=report, changes=changes)


def reference_for(cooperative_id: int, period: str, revision: int) -> str:
    """The receipt number: 'BC202610-00012-2' (period, cooperative, revision)."""
    return f"BC{period.replace('-', '')}-{cooperative_id:05d}-{revision}"


async def _insert_revision(
    session: AsyncSession, user: User, coop: Cooperative, answers: Answers, now: dt.datetime
) -> MonthlyReport:
    for _ in range(5):  # two submissions at once: the loser takes the next revision
        current = await session.scalar(
            select(func.max(MonthlyReport.revision)).where(
                MonthlyReport.cooperative_id == coop.id, MonthlyReport.period == answers.period)
        )
        revision = (current or 0) + 1
        report = MonthlyReport(
            cooperative_id=coop.id, period=answers.period, revision=revision, user_id=user.id,
            members=answers.members, workers=answers.workers, revenue=answers.revenue,
            status=answers.status, status_note=answers.status_note, difficulties=answers.difficulties,
            needs=list(answers.needs), reference=reference_for(coop.id, answers.period, revision),
            submitted_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(report)
            return report
        except IntegrityError:
            continue
    raise RuntimeError("could not store a revision after 5 tries")


def _annual() -> dict[str, str]:
    annual = load_yaml("registry/monthly.yaml")["annual_update"]
    return {"annual_deadline": annual["deadline"], "annual_reference": annual["reference"]}


def notice() -> str:
    """The notice that this update is the programme's own and not the annual legal update."""
    return render("monthly_report/notice.j2", **_annual())


async def revisions(session: AsyncSession, cooperative_id: int, period: str) -> list[MonthlyReport]:
    """Every revision of a cooperative's update for a period, oldest first."""
    query = (
        select(MonthlyReport)
        .where(MonthlyReport.cooperative_id == cooperative_id, MonthlyReport.period == period)
        .order_by(MonthlyReport.revision)
    )
    return list((await session.scalars(query)).all())


def latest_where(scope: Scope, first: str, last: str) -> list[ColumnElement[bool]]:
    """Conditions on MonthlyReport (joined to its Cooperative) keeping the latest revision per cooperative and
    period of first..last inside a scope; the newer-revision test is per row, so the scope holds inside it too."""
    return [MonthlyReport.period >= first, MonthlyReport.period <= last, ~superseded(MonthlyReport, first, last),
            scope.where(Cooperative.province_code, Cooperative.commune_code)]


def superseded(report: Any, first: str | None = None, last: str | None = None) -> ColumnElement[bool]:
    """Whether a later revision of this update (MonthlyReport or an alias of it) exists. A later revision is
    never the first, so only the few revised updates are looked at (index ix_monthly_reports_revised); first..last,
    when given, bounds the months looked at too."""
    later = aliased(MonthlyReport)
    bounds = [] if first is None else [later.period >= first, later.period <= (last or first)]
    return exists().where(later.revision > 1, later.cooperative_id == report.cooperative_id,
                          later.period == report.period, later.revision > report.revision, *bounds)


async def latest_reports_between(
    session: AsyncSession, scope: Scope, first: str, last: str
) -> list[tuple[Cooperative, MonthlyReport]]:
    """The latest revision per cooperative and period, inside a scope, for periods first..last."""
    query = (
        select(Cooperative, MonthlyReport)
        .join(MonthlyReport, MonthlyReport.cooperative_id == Cooperative.id)
        .where(*latest_where(scope, first, last))
        .order_by(MonthlyReport.period, Cooperative.name, Cooperative.id)
    )
    return [(coop, report) for coop, report in (await session.execute(query)).all()]


async def latest_reports(session: AsyncSession, scope: Scope, period: str) -> list[tuple[Cooperative, MonthlyReport]]:
    """The latest revision of each cooperative's update for a period, inside a scope."""
    return await latest_reports_between(session, scope, period, period)

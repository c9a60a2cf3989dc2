"""What users asked of the bot in the scope: saved eligibility checks by programme and outcome, open questions."""

from __future__ import annotations

from collections import Counter, defaultdict

from aiohttp import web
from sqlalchemy import distinct, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.core import User
from db.models.eligibility import EligibilityCheck
from db.models.questions import Question
from flows.eligibility.load import load_programmes
from flows.join.coops import commune_name, province_name
from flows.monthly_report import periods

from .auth import Viewer
from .once import new_key
from .pages import ELIGIBILITY, month_bounds, place_vars, users_per_action
from .views import local, month_param, official_page, page, place_param

MAX_QUESTIONS = 200
OUTCOMES = ("eligible", "possibly", "not_eligible", "not_in_area", "not_for_this_form", "not_started", "ended")


def _applies_in(programme, scope) -> bool:
    """Whether a programme can concern the scope: national ones everywhere, a province's within that province."""
    return programme.level == "national" or scope.level == "country" or programme.area.province_code == scope.province_code


@official_page
async def eligibility(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """Saved eligibility checks of users in the scope, in the chosen month: outcomes per programme."""
    period = month_param(request)
    scope = place_param(request, viewer.scope)
    start, end = month_bounds(period)
    in_scope = scope.where(User.province_code, User.commune_code)
    in_month = (in_scope, EligibilityCheck.created_at >= start, EligibilityCheck.created_at < end)
    checks, users = (await session.execute(  # counted by the database: a month of a country is many checks
        select(func.count(), func.count(distinct(EligibilityCheck.user_id))).select_from(EligibilityCheck)
        .join(User, User.id == EligibilityCheck.user_id).where(*in_month))).one()
    users_total = await session.scalar(
        select(func.count(distinct(EligibilityCheck.user_id))).join(User, User.id == EligibilityCheck.user_id)
        .where(in_scope))
    expand = func.json_each_text if session.get_bind().dialect.name == "postgresql" else func.json_each
    outcome = expand(EligibilityCheck.outcomes).table_valued("key", "value").alias("outcome")
    per_programme: dict[str, Counter] = defaultdict(Counter)
    for programme_id, result, n in await session.execute(
            select(outcome.c.key, outcome.c.value, func.count()).select_from(EligibilityCheck)
            .join(User, User.id == EligibilityCheck.user_id).join(outcome, true()).where(*in_month)
            .group_by(outcome.c.key, outcome.c.value)):
        per_programme[str(programme_id)][str(result)] += int(n)
    rows = [{"name": p.name, "area": "" if p.level == "national" else province_name(p.area.province_code),
             "total": sum(per_programme[p.id].values()), "counts": [per_programme[p.id][o] for o in OUTCOMES]}
            for p in load_programmes() if _applies_in(p, scope)]  # one card per programme of the scope
    rows.sort(key=lambda row: (row["total"] == 0, row["area"] == "", row["name"]))
    started = (await users_per_action(session, scope, ELIGIBILITY, period))[ELIGIBILITY[0]]
    return page(viewer, "eligibility.j2", "ho_tro", period=period, period_shown=periods.display(period),
                **place_vars(scope, viewer.scope), checks=checks, users=users, users_total=users_total or 0,
                started=started,
                outcomes=OUTCOMES, rows=rows)


@official_page
async def questions(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """Questions of users in the scope still waiting for an answer, oldest first, each with its answer form."""
    scope = place_param(request, viewer.scope)
    where = (Question.status == "open", scope.where(Question.province_code, Question.commune_code))
    total = await session.scalar(select(func.count()).select_from(Question).where(*where))
    found = await session.scalars(select(Question).where(*where).order_by(Question.created_at, Question.id)
                                  .limit(MAX_QUESTIONS))
    items = [{"id": q.id, "text": q.text, "asked": local(q.created_at), "province": province_name(q.province_code),
              "commune": commune_name(q.province_code, q.commune_code) if q.commune_code else ""}
             for q in found.all()]
    return page(viewer, "questions.j2", "cau_hoi", items=items, total=total or 0, cut=(total or 0) > len(items),
                new_key=new_key, **place_vars(scope, viewer.scope))  # a one-time key per answer form

"""The reading pages: reporting compliance by place, 12-month trends, difficulties and needs, the founding funnel.

Every query is limited to the official's scope (or a place inside it named by ?tinh= / ?xa=).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.health import problems as channel_problems
from db.models.core import AuditLog, User
from flows.engine.content import load_yaml
from flows.join.coops import commune_name, province_name
from flows.join.scope import Scope
from flows.monthly_report import overview, periods

from . import charts
from .auth import Viewer
from .compare import same_cooperatives
from .paging import page_count, page_number
from .views import app_of, month_param, official_page, page, place_param

FUNNEL = ("founding.started", "founding.form_chosen", "founding.plan_shown", "founding.step_ticked",
          "founding.drafts_downloaded")
ELIGIBILITY = ("eligibility.started",)
TREND_MONTHS = 12
MISSING_SHOWN = 100  # cooperatives listed as not reported on the home page (all of them: the paged list)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _place_rows(scope: Scope, places: list[overview.Place]) -> list[dict]:
    """Reported/expected per province (country scope) or per commune (narrower scopes), lowest share first."""
    by_province = scope.level == "country"
    rows = []
    for p in places:
        name = province_name(p.province_code) if by_province else commune_name(p.province_code, p.commune_code)
        query = f"tinh={p.province_code}" if by_province else f"tinh={p.province_code}&xa={p.commune_code}"
        rows.append({"name": name or str(p.commune_code or p.province_code), "query": query, "expected": p.expected,
                     "reported": p.reported, "share": round(100 * p.reported / p.expected)})
    return sorted(rows, key=lambda r: (r["share"], r["name"]))


@official_page
async def home(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """Compliance for a month: reported against expected, per place, and who is missing; the month's totals."""
    period = month_param(request)
    scope = place_param(request, viewer.scope)
    result = await overview.compliance(session, scope, period, limit=MISSING_SHOWN)  # the rest: the paged list
    totals = await overview.totals(session, scope, period)
    compare = await same_cooperatives(session, scope, period, totals)  # changes over cooperatives in both months
    missing = [{"id": c.id, "name": c.name, "province": province_name(c.province_code),
                "commune": commune_name(c.province_code, c.commune_code)} for c in result.missing]
    rows = _place_rows(scope, result.places)
    stopped = [{"channel": p.channel, "setting": p.setting, "since": p.since.astimezone(LOCAL).strftime("%H:%M %d/%m/%Y")}
               for p in channel_problems(app_of(request).channels.values())]  # e.g. Zalo refused the bot's token
    return page(viewer, "home.j2", "tong_quan", period=period, period_shown=periods.display(period), stopped=stopped,
                **place_vars(scope, viewer.scope), expected=result.expected,
                reported=result.reported, rows=rows, missing=missing, by_province=scope.level == "country",
                current=totals.current, change=totals.change, previous_shown=periods.display(totals.previous.period),
                compare=compare)


@official_page
async def trends(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """Members, workers and revenue over the 12 months up to the chosen one, as charts and a table."""
    last = month_param(request)
    scope = place_param(request, viewer.scope)
    months = [periods.shift(last, k) for k in range(1 - TREND_MONTHS, 1)]
    sums = await overview.sums_between(session, scope, months[0], months[-1])  # one GROUP BY for the 12 months
    labels = [periods.display(p) for p in months]
    present = [s.reporting > 0 for s in sums]
    scale, unit = charts.money_scale([s.revenue for s in sums])  # one unit for the chart and the table
    return page(
        viewer, "trends.j2", "xu_huong", period=last, period_shown=periods.display(last),
        **place_vars(scope, viewer.scope), sums=sums, labels=labels,
        members=charts.bar_chart(labels, [s.members for s in sums], present=present),
        workers=charts.bar_chart(labels, [s.workers for s in sums], present=present),
        revenue=charts.bar_chart(labels, [s.revenue for s in sums], scale=scale, present=present),
        money_scale=scale, money_unit=unit,
        first_shown=labels[0],
    )


@official_page
async def needs(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """The month's statuses and needs counted, and every update that names a difficulty or a need."""
    period = month_param(request)
    scope = place_param(request, viewer.scope)
    number = page_number(request)
    result = await overview.difficulties_and_needs(session, scope, period, limit=overview.ITEMS_PAGE,
                                                   offset=(number - 1) * overview.ITEMS_PAGE)
    choices = load_yaml("registry/monthly.yaml")
    need_labels = {n["id"]: n["label"] for n in choices["needs"]}
    status_labels = {s["id"]: s["label"] for s in choices["statuses"]}
    items = [{"id": c.id, "name": c.name, "commune": commune_name(c.province_code, c.commune_code),
              "status": status_labels.get(r.status, r.status), "hard": r.status == "kho_khan",
              "note": r.status_note or "", "difficulties": r.difficulties or "",
              "needs": [need_labels.get(n, n) for n in r.needs]} for c, r in result.items]
    return page(viewer, "needs.j2", "kho_khan", period=period, period_shown=periods.display(period),
                **place_vars(scope, viewer.scope), items=items, items_total=result.items_total, page_no=number,
                pages=page_count(result.items_total, overview.ITEMS_PAGE),
                page_href="/quan-ly/kho-khan?" + urlencode({"thang": period, **keep_place(scope, viewer.scope)}),
                statuses=[(status_labels[s], result.statuses[s]) for s in status_labels],
                need_counts=[(need_labels[n], result.needs[n]) for n in need_labels])


async def users_per_action(session: AsyncSession, scope: Scope, actions: tuple[str, ...],
                           period: str | None = None) -> dict[str, int]:
    """How many distinct users of a scope (by their profile's place) recorded each action, optionally in a month."""
    pairs = select(AuditLog.action, AuditLog.user_id).where(AuditLog.action.in_(actions),
                                                             AuditLog.user_id.is_not(None))
    if scope.level != "country":  # a user's place is on their profile
        pairs = pairs.join(User, User.id == AuditLog.user_id).where(scope.where(User.province_code, User.commune_code))
    if period:
        start, end = month_bounds(period)
        pairs = pairs.where(AuditLog.at >= start, AuditLog.at < end)
    pairs = pairs.distinct().subquery()  # each (action, user) once: a hash, not a sort per action
    query = select(pairs.c.action, func.count()).group_by(pairs.c.action)
    found = dict((await session.execute(query)).all())
    return {action: int(found.get(action, 0)) for action in actions}


@official_page
async def funnel(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """The founding guide's funnel: how many users of the scope reached each step (all time, or one month)."""
    period = month_param(request) if request.query.get("thang") else None
    scope = place_param(request, viewer.scope)
    counts = await users_per_action(session, scope, FUNNEL, period)
    first = counts[FUNNEL[0]] or 0
    steps = [{"action": a, "users": n, "share": round(100 * n / first) if first else 0} for a, n in counts.items()]
    return page(viewer, "funnel.j2", "thanh_lap", steps=steps, **place_vars(scope, viewer.scope), period=period or "",
                period_shown=periods.display(period) if period else "")


def month_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of a month and of the next, in Vietnam's time zone."""
    nxt = periods.shift(period, 1)
    start = dt.datetime(int(period[:4]), int(period[5:]), 1, tzinfo=LOCAL)
    return start, dt.datetime(int(nxt[:4]), int(nxt[5:]), 1, tzinfo=LOCAL)


def place_vars(scope: Scope, own: Scope) -> dict:
    """Template variables of the place a page shows: its name, whether narrowed, what forms carry along."""
    return {"place": place_label(scope), "narrowed": scope != own, "keep": keep_place(scope, own)}


def keep_place(scope: Scope, own: Scope) -> dict[str, int]:
    """The ?tinh= / ?xa= a month form carries along when a page shows a place narrower than the scope."""
    if scope == own or scope.level == "country":
        return {}
    return {"tinh": scope.province_code, **({"xa": scope.commune_code} if scope.level == "commune" else {})}


def place_label(scope: Scope) -> str:
    """The place a page shows: '' for the whole country, else the commune and/or province."""
    if scope.level == "country":
        return ""
    province = province_name(scope.province_code)
    return f"{commune_name(scope.province_code, scope.commune_code)}, {province}" if scope.level == "commune" else province

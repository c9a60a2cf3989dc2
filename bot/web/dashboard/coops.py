"""Cooperatives of the scope with filters (place, form, sector, reported or not) and each one's report history."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province, Ward

from db.models.registry import Cooperative, MonthlyReport
from flows.engine.content import load_yaml
from flows.engine.numbers import ascii_int
from flows.join.coops import commune_name, form_label, province_name, sector_label
from flows.join.scope import Scope
from flows.monthly_report import listing as listing_query
from flows.monthly_report import periods

from .auth import Viewer
from .paging import page_count, page_number
from .views import BadRequest, Refused, local, month_param, official_page, page, place_param, today


def province_options(scope: Scope) -> list[tuple[int, str]]:
    """The provinces an official may pick (one unless the scope is the country)."""
    if scope.level != "country":
        return [(scope.province_code, province_name(scope.province_code))]
    return sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda item: item[1])


def commune_options(scope: Scope) -> list[tuple[int, str]]:
    """The communes an official may pick within a province or commune scope (none for a whole country)."""
    if scope.level == "country":
        return []
    if scope.level == "commune":
        return [(scope.commune_code, commune_name(scope.province_code, scope.commune_code))]
    wards = Ward.iter_by_province(Province.from_code(scope.province_code).code)
    return sorted(((int(w.code), w.name) for w in wards), key=lambda item: item[1])


def _pickable(own: Scope, chosen: Scope) -> Scope:
    """The widest scope inside the official's own whose communes the filter lists."""
    if chosen.level == "country":
        return chosen
    province = Scope("province", chosen.province_code)
    return province if own.contains(province) else chosen


@official_page
async def listing(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """The cooperatives of the scope, filtered, each marked reported or not for the month."""
    period = month_param(request)
    scope = place_param(request, viewer.scope)
    forms = load_yaml("registry/forms.yaml")["forms"]
    sectors = load_yaml("registry/sectors.yaml")["sectors"]
    form, sector, reported = (request.query.get(k, "") for k in ("loai", "linh_vuc", "bao_cao"))
    if form and form not in {f["id"] for f in forms}:
        raise BadRequest("filter")
    if sector and sector not in {s["id"] for s in sectors}:
        raise BadRequest("filter")
    if reported not in ("", "co", "chua"):
        raise BadRequest("filter")
    search = " ".join(request.query.get("q", "").split())[:100]
    sort = request.query.get("sap_xep", "") or listing_query.sorts()[0][0]
    if sort not in dict(listing_query.sorts()):
        raise BadRequest("filter")
    number, size = page_number(request), listing_query.page_size()
    filters = listing_query.Filters(form, sector, {"co": True, "chua": False}.get(reported), search)
    found, total = await listing_query.cooperatives_page(session, scope, period, filters, sort=sort, limit=size,
                                                         offset=(number - 1) * size)
    rows = [{"id": coop.id, "name": coop.name, "form": form_label(coop.form), "sector": sector_label(coop.sector),
             "registration_no": coop.registration_no or "", "province": province_name(coop.province_code),
             "commune": commune_name(coop.province_code, coop.commune_code), "report": report}
            for coop, report in found]
    return page(viewer, "coops.j2", "hop_tac_xa", period=period, period_shown=periods.display(period),
                rows=rows, total=total, page_no=number, pages=page_count(total, size), sorts=listing_query.sorts(),
                forms=[(f["id"], f["name"]) for f in forms], sectors=[(s["id"], s["name"]) for s in sectors],
                provinces=province_options(viewer.scope), communes=commune_options(_pickable(viewer.scope, scope)),
                chosen={"tinh": scope.province_code, "xa": scope.commune_code if scope.level == "commune" else None,
                        "loai": form, "linh_vuc": sector, "bao_cao": reported, "q": search, "sap_xep": sort})


@official_page
async def history(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """One cooperative and every revision of every update it sent, newest month first."""
    coop_id = ascii_int(request.match_info["coop_id"], 11)
    coop = await session.get(Cooperative, coop_id) if coop_id is not None else None
    if coop is None:
        raise BadRequest("not_found")
    if not viewer.scope.covers(coop.province_code, coop.commune_code):
        raise Refused()
    query = (select(MonthlyReport).where(MonthlyReport.cooperative_id == coop.id)
             .order_by(MonthlyReport.period.desc(), MonthlyReport.revision.desc()))
    choices = load_yaml("registry/monthly.yaml")
    need_labels = {n["id"]: n["label"] for n in choices["needs"]}
    status_labels = {s["id"]: s["label"] for s in choices["statuses"]}
    months: dict[str, list[dict]] = {}
    for r in (await session.scalars(query)).all():
        months.setdefault(r.period, []).append({
            "revision": r.revision, "reference": r.reference, "members": r.members, "workers": r.workers,
            "revenue": r.revenue, "status": status_labels.get(r.status, r.status), "note": r.status_note or "",
            "difficulties": r.difficulties or "", "needs": [need_labels.get(n, n) for n in r.needs],
            "submitted_at": local(r.submitted_at)})
    last = max([periods.default_period(today(request)), *months])  # the month a report is due for now
    first = min([*months, periods.shift(last, -11)])  # at least a year, and every month it ever reported
    timeline = [(periods.display(p), months.get(p, [])) for p in reversed(periods.between(first, last))]
    return page(viewer, "coop.j2", "hop_tac_xa", coop={
        "name": coop.name, "form": form_label(coop.form), "sector": sector_label(coop.sector),
        "registration_no": coop.registration_no or "", "province": province_name(coop.province_code),
        "commune": commune_name(coop.province_code, coop.commune_code)},
        months=timeline, reported=len(months))

"""Exports of the latest monthly updates of the scope, for one month or a range, as CSV or XLSX."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.core import AuditLog
from flows.monthly_report import exports, periods

from .auth import Viewer
from .views import BadRequest, month_param, official_page, page, place_param

MAX_MONTHS = 36
TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@official_page
async def form(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: choose the months and the format."""
    last = month_param(request)
    return page(viewer, "exports.j2", "xuat", first=periods.shift(last, -2), last=last, max_months=MAX_MONTHS)


@official_page
async def download(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: the file, limited to the scope (or a place inside it)."""
    first, last = month_param(request, "tu"), month_param(request, "den")
    fmt = request.query.get("dinh_dang", "xlsx")
    if fmt not in TYPES or last < first or len(periods.between(first, last)) > MAX_MONTHS:
        raise BadRequest("export")
    scope = place_param(request, viewer.scope)
    document = await exports.export_reports(session, scope, first, last, fmt)
    session.add(AuditLog(user_id=viewer.user_id, action="dashboard.exported",  # read on /quan-ly/nhat-ky
                         detail={"first": first, "last": last, "format": fmt, "level": scope.level,
                                 "province_code": scope.province_code, "commune_code": scope.commune_code}))
    await session.commit()
    disposition = f"attachment; filename=\"{document.filename}\"; filename*=UTF-8''{quote(document.filename)}"
    return web.Response(body=document.data, headers={"Content-Type": TYPES[fmt], "Content-Disposition": disposition,
                                                     "Cache-Control": "no-store"})

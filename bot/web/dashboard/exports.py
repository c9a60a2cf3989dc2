"""Exports of the latest monthly updates of the scope, for one month or a range, as CSV or XLSX, streamed."""

from __future__ import annotations

import logging
from contextlib import aclosing
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.core import AuditLog
from flows.monthly_report import exports, periods

from .auth import Viewer
from .views import BadRequest, month_param, official_page, page, place_param

log = logging.getLogger(__name__)
MAX_MONTHS = 36
DELIMITERS = {"phay": ",", "cham_phay": ";"}
TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@official_page
async def form(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: choose the months and the format."""
    last = month_param(request)
    return page(viewer, "exports.j2", "xuat", first=periods.shift(last, -2), last=last, max_months=MAX_MONTHS)


@official_page
async def download(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: the file, limited to the scope (or a place inside it), sent as it is made (?phan_cach=cham_phay: a CSV
    separated by semicolons, as Excel with Vietnamese regional settings expects)."""
    first, last = month_param(request, "tu"), month_param(request, "den")
    fmt = request.query.get("dinh_dang", "xlsx")
    delimiter = DELIMITERS.get(request.query.get("phan_cach", "phay"))
    if fmt not in TYPES or delimiter is None or last < first or len(periods.between(first, last)) > MAX_MONTHS:
        raise BadRequest("export")
    scope = place_param(request, viewer.scope)
    session.add(AuditLog(user_id=viewer.user_id, action="dashboard.exported",  # read on /quan-ly/nhat-ky
                         detail={"first": first, "last": last, "format": fmt, "level": scope.level,
                                 "province_code": scope.province_code, "commune_code": scope.commune_code}))
    await session.commit()
    export = exports.Export(scope, first, last, fmt, delimiter)
    disposition = f"attachment; filename=\"{export.filename}\"; filename*=UTF-8''{quote(export.filename)}"
    response = web.StreamResponse(headers={"Content-Type": TYPES[fmt], "Content-Disposition": disposition,
                                           "Cache-Control": "no-store"})
    async with aclosing(export.chunks(session)) as pieces:
        head = await anext(pieces)  # the file's start, made before the database is read
        try:
            async for piece in pieces:
                if not response.prepared:  # the database answered: from here on an error can only cut the file
                    await response.prepare(request)
                    await response.write(head)
                await response.write(piece)
        except ConnectionError:  # the official stopped the download
            log.info("export download stopped by the client after %d rows", export.rows)
        except Exception:
            if not response.prepared:
                raise  # an error page
            log.exception("export failed after %d rows; the download is cut off", export.rows)
            if request.transport is not None:
                request.transport.abort()  # the browser sees a failed download, not a short file
    return response

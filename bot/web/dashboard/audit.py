"""The officials' audit log: dashboard sign-ins and exports, announcements and appointments, newest first.

Only country-level officials read it; anyone else gets the out-of-scope page (403), as for any
page outside their scope. Entries come from audit_log (flows/my_data/retention.OFFICIAL_ACTIONS),
which the conversation-log purge leaves alone.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.core import AuditLog, User
from db.models.registry import Official
from flows.join.coops import commune_name, province_name
from flows.monthly_report import periods
from flows.my_data.retention import OFFICIAL_ACTIONS

from .auth import Viewer
from .views import BadRequest, Refused, local, official_page, page

PAGE = 100  # entries per page


def _before(request: web.Request) -> int | None:
    """?truoc=<entry id>: the page of entries older than that one."""
    value = request.query.get("truoc", "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise BadRequest("filter")
    return int(value)


def _place(province: int | None, commune: int | None) -> str:
    names = [commune_name(province, commune) if commune else "", province_name(province) if province else ""]
    return ", ".join(n for n in names if n)


def _month(value: object) -> str:
    """A period of an entry's detail as officials read it ('2026-10' -> '10/2026')."""
    parsed = periods.parse(value) if isinstance(value, str) else None
    return periods.display(parsed) if parsed else ""


def _entry(entry: AuditLog, name: str | None, channel: str | None, place: str, level: str | None) -> dict:
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    return {"id": entry.id, "at": local(entry.at), "action": entry.action, "detail": detail, "who": name or "",
            "user_id": entry.user_id, "channel": channel or "", "level": level or "", "place": place,
            "detail_place": _detail_place(detail), "first": _month(detail.get("first")),
            "last": _month(detail.get("last"))}


def _detail_place(detail: dict) -> str:
    """The place an entry's detail names (an export's, an appointment's scope)."""
    province, commune = detail.get("province_code"), detail.get("commune_code")
    return _place(province if isinstance(province, int) else None, commune if isinstance(commune, int) else None)


@official_page
async def log(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET /quan-ly/nhat-ky: one page of the officials' audit log."""
    if viewer.scope.level != "country":
        raise Refused()
    before = _before(request)
    query = (
        select(AuditLog, User.display_name, User.channel, Official.scope_level, Official.province_code,
               Official.commune_code)
        .outerjoin(User, User.id == AuditLog.user_id)
        .outerjoin(Official, Official.user_id == AuditLog.user_id)
        .where(AuditLog.action.in_(OFFICIAL_ACTIONS))
        .order_by(AuditLog.id.desc())
        .limit(PAGE + 1)
    )
    if before is not None:
        query = query.where(AuditLog.id < before)
    rows = (await session.execute(query)).all()
    entries = [_entry(entry, name, channel, _place(province, commune) if level != "country" else "", level)
               for entry, name, channel, level, province, commune in rows[:PAGE]]
    older = entries[-1]["id"] if len(rows) > PAGE else None
    return page(viewer, "audit.j2", "nhat_ky", entries=entries, older=older, first_page=before is None)

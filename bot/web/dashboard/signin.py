"""The sign-in and logout pages: open the link (nothing used yet), confirm (the link is used), leave."""

from __future__ import annotations

from aiohttp import web

from db.models.core import AuditLog

from . import auth, csrf
from .views import app_of, error_page, html, is_https, official_page, secret_of

HOME = "/quan-ly/"
_REFUSALS = {auth.LinkState.UNKNOWN: 404, auth.LinkState.USED: 410, auth.LinkState.EXPIRED: 410,
             auth.LinkState.NOT_OFFICIAL: 403}


async def open_link(request: web.Request) -> web.StreamResponse:
    """GET /quan-ly/dang-nhap?t=…: say whether the link is good and ask to confirm (link previews use nothing)."""
    raw = request.query.get("t", "")[:200]
    async with app_of(request).sessionmaker() as session:
        state = await auth.link_state(session, raw)
    if state is not auth.LinkState.OK:
        return html("signin.j2", status=_REFUSALS[state], state=state.value, token="", csrf="")
    pre = csrf.new_key()
    response = html("signin.j2", state=state.value, token=raw, csrf=csrf.token_for(secret_of(request), pre))
    auth.set_pre_cookie(response, pre, secure=is_https(request))
    return response


async def confirm(request: web.Request) -> web.StreamResponse:
    """POST /quan-ly/dang-nhap: use the link once and open a session; the form must come from this browser."""
    form = await request.post()
    if not csrf.valid(secret_of(request), request.cookies.get(auth.PRE_COOKIE), form.get(csrf.FIELD)):
        return error_page(403, "csrf")
    app = app_of(request)
    hours = app.settings.dashboard_session_hours
    async with app.sessionmaker() as session:
        state, user_id = await auth.use_link(session, str(form.get("t", ""))[:200])
        if state is not auth.LinkState.OK or user_id is None:
            await session.rollback()
            return html("signin.j2", status=_REFUSALS.get(state, 410), state=state.value, token="", csrf="")
        key = await auth.open_session(session, user_id, hours)
        session.add(AuditLog(user_id=user_id, action="dashboard.signed_in", detail={}))
        await session.commit()
    response = web.Response(status=303, headers={"Location": HOME})
    auth.set_session_cookie(response, key, secure=is_https(request), hours=hours)
    response.del_cookie(auth.PRE_COOKIE, path=auth.PATH)
    return response


@official_page
async def logout(request: web.Request, session, viewer: auth.Viewer) -> web.StreamResponse:
    """POST /quan-ly/dang-xuat: revoke the session and forget the cookie."""
    await auth.close_session(session, request.cookies.get(auth.COOKIE))
    await session.commit()
    response = html("signed_out.j2")
    auth.clear_cookies(response)
    return response

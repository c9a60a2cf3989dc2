"""The frame every dashboard page shares: the signed-in check, CSRF on POST, the layout, parameters and errors.

`official_page` wraps a handler: it opens a database session, finds the signed-in official and
their scope (again, on every request), refuses a POST without the session's form token, and turns
a place outside the scope into 403 and a malformed parameter into 400, each as a Vietnamese page.
Handlers get (request, session, viewer) and return a response.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.parts import APP_KEY, App
from bot.web.assets import shared as shared_assets
from flows.engine.content import render
from flows.engine.numbers import ascii_int
from flows.join import invites
from flows.join.coops import commune_name, province_name
from flows.join.scope import Scope
from flows.monthly_report import periods

from . import auth, csrf

log = logging.getLogger(__name__)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

Handler = Callable[[web.Request, AsyncSession, auth.Viewer], Awaitable[web.StreamResponse]]
NAV = ("tong_quan", "xu_huong", "hop_tac_xa", "kho_khan", "thanh_lap", "ho_tro", "cau_hoi", "thong_bao", "xuat")


class Refused(Exception):
    """The request names something outside the official's scope (answered 403)."""


class BadRequest(Exception):
    """A malformed parameter (answered 400); `reason` names the message in dashboard/error.j2."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def app_of(request: web.Request) -> App:
    """The bot's App behind this web request."""
    return request.app[APP_KEY]


def secret_of(request: web.Request) -> str:
    """The secret the form tokens are signed with."""
    return app_of(request).settings.web_secret.get_secret_value()


def is_https(request: web.Request) -> bool:
    """Whether officials reach the app over https (cookies are then Secure): the request came over
    TLS, or through a trusted proxy that ended it (TRUSTED_PROXIES), or the public address is https."""
    return request.secure or app_of(request).settings.web_base_url.lower().startswith("https://")


def today(request: web.Request) -> dt.date:
    """Today's date as the bot sees it (fixed in tests)."""
    return app_of(request).engine.clock()


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp (UTC; naive from SQLite) in Vietnam's time zone."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(LOCAL)


def html(template: str, *, status: int = 200, nonce: str | None = None, **variables: Any) -> web.Response:
    """A rendered dashboard template as an HTML response with strict security headers."""
    nonce = nonce or secrets.token_urlsafe(12)
    body = render(f"dashboard/{template}", nonce=nonce, css_version=shared_assets().version_of("dashboard.css"),
                  **variables)
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    response.headers.update({
        "Content-Security-Policy": (f"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self'; "
                                    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
                                    "base-uri 'none'"),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    })
    return response


def page(viewer: auth.Viewer, template: str, active: str, *, status: int = 200, **variables: Any) -> web.Response:
    """A page inside the layout: the official's name and scope, the menu, the logout form's token."""
    return html(template, status=status, active=active, nav=NAV, viewer_name=viewer.name, csrf=viewer.csrf,
                scope_level=viewer.scope.level, **_scope_vars(viewer.scope), **variables)


def error_page(status: int, reason: str) -> web.Response:
    """A bare Vietnamese error page (no layout: the visitor may not be signed in)."""
    return html("error.j2", status=status, reason=reason)


def official_page(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a handler with the signed-in check, CSRF on POST, scope refusals and safe errors."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        app = app_of(request)
        try:
            async with app.sessionmaker() as session:
                viewer = await auth.viewer_of(session, request.cookies.get(auth.COOKIE), secret_of(request))
                if viewer is None:
                    return error_page(401, "signed_out")
                if request.method == "POST":
                    form = await request.post()
                    if not csrf.valid(secret_of(request), request.cookies.get(auth.COOKIE), form.get(csrf.FIELD)):
                        return error_page(403, "csrf")
                return await handler(request, session, viewer)
        except Refused:
            return error_page(403, "out_of_scope")
        except BadRequest as exc:
            return error_page(404 if exc.reason == "not_found" else 400, exc.reason)
        except web.HTTPException:
            raise
        except Exception:  # noqa: BLE001 - no stack trace reaches an official
            log.exception("dashboard page %s failed", request.path)
            return error_page(500, "server")

    return wrapped


def month_param(request: web.Request, name: str = "thang") -> str:
    """A month from the query ('2026-10' or '10/2026'), by default the reporting month of today; a month
    after the current one is refused."""
    value = request.query.get(name, "").strip()
    if not value:
        return periods.default_period(today(request))
    parsed = periods.parse(value)
    if parsed is None:
        raise BadRequest("month")
    if parsed > periods.period_of(today(request)):
        raise BadRequest("future_month")  # nothing can have been reported for it yet
    return parsed


def place_param(request: web.Request, scope: Scope) -> Scope:
    """The official's scope narrowed by ?tinh= and ?xa= (a province or commune code); outside it is refused."""
    province, commune = _code(request, "tinh"), _code(request, "xa")
    if commune is not None:
        wanted = Scope("commune", province if province is not None else _province_of(commune), commune)
        if not commune_name(wanted.province_code, commune):
            raise BadRequest("place")
    elif province is not None:
        wanted = Scope("province", province)
        if not province_name(province):
            raise BadRequest("place")
    else:
        return scope
    if not scope.contains(wanted):
        raise Refused()
    return wanted


def _code(request: web.Request, name: str) -> int | None:
    value = request.query.get(name, "").strip()
    if not value:
        return None
    code = ascii_int(value, 6)
    if code is None:
        raise BadRequest("place")
    return code


def _province_of(commune: int) -> int:
    from vietnam_provinces import Ward

    try:
        return int(Ward.from_code(commune).province_code)
    except ValueError:
        raise BadRequest("place") from None


def _scope_vars(scope: Scope) -> dict[str, str]:
    names = invites.scope_names(scope)
    return {"scope_province": names["province"], "scope_commune": names["commune"]}

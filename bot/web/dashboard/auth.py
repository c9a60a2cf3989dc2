"""Signing in to the dashboard: a one-time link becomes a server-side session held in a cookie; logout ends it.

The link's token (flows/dashboard_login.py) is checked without being used when the page opens (a
link preview must not burn it) and used by the confirmation form's POST, atomically, once. The
session cookie is HttpOnly, SameSite=Strict, Secure when the public address is https, and expires;
only the key's SHA-256 is stored. The official's scope is read again on every request, so a
withdrawn official loses access at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.core import User
from db.models.web import LoginToken, WebSession
from flows.dashboard_login.flow import token_hash
from flows.join.accounts import scope_of
from flows.join.scope import Scope

from . import csrf

COOKIE = "htx_quanly"
PRE_COOKIE = "htx_quanly_dn"  # binds the sign-in confirmation form to this browser
PATH = "/quan-ly"


class LinkState(StrEnum):
    """What a sign-in link is worth right now."""

    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    NOT_OFFICIAL = "not_official"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in official of one request: who, their scope now, and the session's form token."""

    user_id: int
    name: str
    scope: Scope
    csrf: str


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def link_state(session: AsyncSession, raw: str | None, now: dt.datetime | None = None) -> LinkState:
    """Whether a sign-in link could be used now (nothing is changed)."""
    now = now or utcnow()
    token = await session.scalar(select(LoginToken).where(LoginToken.token_hash == token_hash(raw or "")))
    if not raw or token is None:
        return LinkState.UNKNOWN
    if token.used_at is not None:
        return LinkState.USED
    if _aware(token.expires_at) <= now:
        return LinkState.EXPIRED
    if await scope_of(session, token.user_id) is None:
        return LinkState.NOT_OFFICIAL
    return LinkState.OK


async def use_link(session: AsyncSession, raw: str | None, now: dt.datetime | None = None) -> tuple[LinkState, int | None]:
    """Use a sign-in link once: its state, and the official's user id when it was good (caller commits)."""
    now = now or utcnow()
    state = await link_state(session, raw, now)
    if state is not LinkState.OK:
        return state, None
    claimed = await session.execute(
        update(LoginToken)
        .where(LoginToken.token_hash == token_hash(raw or ""), LoginToken.used_at.is_(None))
        .values(used_at=now)
        .returning(LoginToken.user_id)
    )
    user_id = claimed.scalar_one_or_none()
    return (LinkState.OK, user_id) if user_id is not None else (LinkState.USED, None)


async def open_session(session: AsyncSession, user_id: int, hours: int, now: dt.datetime | None = None) -> str:
    """Start a browser session for a user and return its key in clear (caller commits)."""
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=token_hash(key), user_id=user_id, created_at=now,
                           expires_at=now + dt.timedelta(hours=hours)))
    await session.flush()
    return key


async def viewer_of(session: AsyncSession, key: str | None, secret: str, now: dt.datetime | None = None) -> Viewer | None:
    """The official behind a session cookie, or None (no session, expired, revoked, or no longer an official)."""
    if not key:
        return None
    now = now or utcnow()
    row = await session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(key)))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    scope = await scope_of(session, row.user_id)
    if scope is None:
        return None
    user = await session.get(User, row.user_id)
    return Viewer(row.user_id, (user.display_name if user else None) or "", scope, csrf.token_for(secret, key))


async def close_session(session: AsyncSession, key: str | None, now: dt.datetime | None = None) -> None:
    """Revoke a browser session (caller commits)."""
    if key:
        await session.execute(update(WebSession).where(WebSession.token_hash == token_hash(key))
                              .values(revoked_at=now or utcnow()))


def set_session_cookie(response: web.StreamResponse, key: str, *, secure: bool, hours: int) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, Secure over https, expiring with the session."""
    response.set_cookie(COOKIE, key, max_age=hours * 3600, path=PATH, httponly=True, samesite="Strict",
                        secure=secure)


def set_pre_cookie(response: web.StreamResponse, value: str, *, secure: bool) -> None:
    """The short-lived cookie the sign-in confirmation form is bound to."""
    response.set_cookie(PRE_COOKIE, value, max_age=1800, path=PATH, httponly=True, samesite="Strict",
                        secure=secure)


def clear_cookies(response: web.StreamResponse) -> None:
    """Forget the session in the browser."""
    response.del_cookie(COOKIE, path=PATH)
    response.del_cookie(PRE_COOKIE, path=PATH)

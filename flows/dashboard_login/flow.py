"""/dangnhap: an official asks in chat for a one-time link that signs them in to the web dashboard.

The link carries a random token; only its SHA-256 is stored (db/models/web.py LoginToken), with
an expiry and the moment it was used. A user who is not an official gets the same reply as for
any unknown command and no token is made: the command is not revealed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.web import LoginToken
from flows.engine.context import Context
from flows.engine.dsl import AGAIN, Command, Flow
from flows.join.accounts import is_official

COMMAND = "dangnhap"
LOGIN_PATH = "/quan-ly/dang-nhap"
DEFAULT_MINUTES = 15
DEFAULT_TTL = dt.timedelta(minutes=DEFAULT_MINUTES)
DEFAULT_BASE_URL = "http://127.0.0.1:8080"  # as bot/settings.py web_base_url, for engines built without settings


def token_hash(raw: str) -> str:
    """The stored form of a token (sign-in link or session key): SHA-256, hex."""
    return hashlib.sha256(raw.encode()).hexdigest()


async def issue_login_token(
    session: AsyncSession, user_id: int, *, ttl: dt.timedelta = DEFAULT_TTL, now: dt.datetime | None = None
) -> str:
    """Store a new single-use sign-in token for a user and return it in clear (the caller commits)."""
    raw = secrets.token_urlsafe(32)
    now = now or utcnow()
    session.add(LoginToken(token_hash=token_hash(raw), user_id=user_id, created_at=now, expires_at=now + ttl))
    await session.flush()
    return raw


def login_url(base_url: str, raw: str) -> str:
    """The sign-in link for a token, on the app's public address."""
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?t={raw}"


async def _login(ctx: Context, _arg: str) -> str | None:
    settings = ctx.services.settings
    minutes = getattr(settings, "dashboard_link_minutes", DEFAULT_MINUTES)
    base_url = getattr(settings, "web_base_url", DEFAULT_BASE_URL)
    raw = await issue_login_token(ctx.session, ctx.profile.id, ttl=dt.timedelta(minutes=minutes))
    ctx.say("dashboard/chat_link.j2", url=login_url(base_url, raw), minutes=minutes)
    ctx.record("dashboard.link_requested")
    return AGAIN


dashboard_login = Flow("dashboard_login", [], commands=[Command(COMMAND, _login, allowed=is_official)])

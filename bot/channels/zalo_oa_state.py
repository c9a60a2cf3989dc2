"""The Zalo OA's state in the database: its tokens (OATokens) and its message rules (OARules).

The access token is refreshed with the single-use refresh token under a lock (in-process and the
row's) and both tokens are stored together. The refresh is signed with the application's secret key
(ZALO_OA_APP_SECRET), never the OA secret key that signs webhooks. Announcements respect the OA's
message rules (OAContact, OAQuota): a number of free messages within a window after the user's last
message, then a monthly proactive quota.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

import aiohttp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models.zalo import OAContact, OAQuota, OAToken
from flows.engine.delivery import PermanentError, TransientError

log = logging.getLogger(__name__)


class TokenRefused(PermanentError):
    """Zalo refused the token refresh (wrong app secret, spent or expired refresh token): an operator must act."""


async def _upsert(session: AsyncSession, model: type, values: dict[str, Any], keep: bool = True) -> None:
    """INSERT ... ON CONFLICT DO NOTHING (keep) or DO UPDATE with `values`, on PostgreSQL and SQLite."""
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    keys = [c.name for c in model.__table__.primary_key.columns]
    stmt = insert(model).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=keys) if keep else stmt.on_conflict_do_update(
        index_elements=keys, set_={k: v for k, v in values.items() if k not in keys})
    await session.execute(stmt)


class OATokens:
    """The OA's access token, refreshed with the single-use refresh token so that no two processes burn it."""

    def __init__(self, sessionmaker: async_sessionmaker, app_id: str, app_secret: str, oauth_base_url: str,
                 first_access: str, first_refresh: str, margin: dt.timedelta = dt.timedelta(minutes=10)) -> None:
        self.sessionmaker, self.app_id, self.app_secret = sessionmaker, app_id, app_secret
        self.url = f"{oauth_base_url.rstrip('/')}/v4/oa/access_token"
        self.first, self.margin = (first_access, first_refresh), margin
        self._access: str | None = None
        self._expires: dt.datetime | None = None
        self._lock = asyncio.Lock()

    def _fresh(self, expires: dt.datetime | None) -> bool:
        if expires is not None and expires.tzinfo is None:  # SQLite hands timestamps back naive (UTC)
            expires = expires.replace(tzinfo=dt.UTC)
        return expires is None or expires - self.margin > utcnow()

    async def access_token(self, http: aiohttp.ClientSession) -> str:
        """The current access token: from memory, else the database (seeded from settings), refreshed if expiring."""
        if self._access is not None and self._fresh(self._expires):
            return self._access
        async with self.sessionmaker() as session:
            await _upsert(session, OAToken, {"app_id": self.app_id, "access_token": self.first[0],
                                             "refresh_token": self.first[1], "updated_at": utcnow(),
                                             "expires_at": None if self.first[0] else utcnow()})
            await session.commit()
            row = (await session.execute(select(OAToken).where(OAToken.app_id == self.app_id))).scalar_one()
            self._access, self._expires = row.access_token, row.expires_at
        if self._fresh(self._expires):
            return self._access
        return await self.refresh(http, stale=self._access)

    async def refresh(self, http: aiohttp.ClientSession, stale: str | None) -> str:
        """Replace `stale` (refused or expiring): under an in-process lock and the row's lock, unless done already."""
        async with self._lock, self.sessionmaker() as session, session.begin():
            if session.bind.dialect.name == "sqlite":  # take SQLite's single write lock before reading
                await session.execute(update(OAToken).where(OAToken.app_id == self.app_id)
                                      .values(updated_at=OAToken.updated_at))
            row = (await session.execute(
                select(OAToken).where(OAToken.app_id == self.app_id).with_for_update())).scalar_one()
            if row.access_token != stale and self._fresh(row.expires_at):
                self._access, self._expires = row.access_token, row.expires_at  # another process refreshed it
                return row.access_token
            access, refresh, expires = await self._ask(http, row.refresh_token)
            row.access_token, row.refresh_token, row.expires_at, row.updated_at = access, refresh, expires, utcnow()
            self._access, self._expires = access, expires
            log.info("zalo OA access token refreshed (valid until %s)", expires)
            return access

    async def _ask(self, http: aiohttp.ClientSession, refresh_token: str) -> tuple[str, str, dt.datetime]:
        form = {"refresh_token": refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"}
        try:
            async with http.post(self.url, data=form, headers={"secret_key": self.app_secret},
                                 timeout=aiohttp.ClientTimeout(total=20)) as response:
                body = json.loads(await response.read())
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TransientError(f"zalo_oa: token refresh failed: {exc!r}") from exc
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            reason = body.get("error_description") or body.get("error_name") if isinstance(body, dict) else body
            raise TokenRefused(f"zalo_oa: token refresh refused: {reason}")
        seconds = int(body.get("expires_in") or 90000)
        return str(body["access_token"]), str(body["refresh_token"]), utcnow() + dt.timedelta(seconds=seconds)


class OARules:
    """The OA's message rules: `free` messages within `window` after the user's last message, then a monthly quota."""

    def __init__(self, sessionmaker: async_sessionmaker, app_id: str, free: int, window_hours: int,
                 proactive_per_month: int) -> None:
        self.sessionmaker, self.app_id = sessionmaker, app_id
        self.free, self.window, self.proactive = free, dt.timedelta(hours=window_hours), proactive_per_month

    async def user_wrote(self, user_id: str) -> None:
        """A message from the user opens a new window."""
        async with self.sessionmaker() as session:
            await _upsert(session, OAContact, {"app_id": self.app_id, "user_id": user_id,
                                               "last_message_at": utcnow(), "sent_since": 0}, keep=False)
            await session.commit()

    async def count_replies(self, user_id: str, n: int) -> None:
        """Count replies to a message the user just sent (always allowed) against the window's free messages."""
        async with self.sessionmaker() as session:
            await session.execute(update(OAContact).where(OAContact.app_id == self.app_id, OAContact.user_id == user_id)
                                  .values(sent_since=OAContact.sent_since + n))
            await session.commit()

    async def take(self, user_id: str, n: int) -> str | None:
        """Claim `n` messages for an announcement: "free", "proactive", or None when the rules forbid it."""
        since, month = utcnow() - self.window, utcnow().strftime("%Y-%m")
        async with self.sessionmaker() as session:
            free = await session.execute(
                update(OAContact)
                .where(OAContact.app_id == self.app_id, OAContact.user_id == user_id,
                       OAContact.last_message_at >= since, OAContact.sent_since + n <= self.free)
                .values(sent_since=OAContact.sent_since + n))
            kind = "free" if free.rowcount == 1 else None
            if kind is None and self.proactive > 0:
                await _upsert(session, OAQuota, {"app_id": self.app_id, "month": month, "used": 0})
                taken = await session.execute(
                    update(OAQuota).where(OAQuota.app_id == self.app_id, OAQuota.month == month,
                                          OAQuota.used + n <= self.proactive).values(used=OAQuota.used + n))
                kind = "proactive" if taken.rowcount == 1 else None
            await session.commit()
        return kind

    async def give_back(self, user_id: str, n: int, kind: str) -> None:
        """Return what `take` claimed for a message that was not sent after all."""
        async with self.sessionmaker() as session:
            if kind == "free":
                await session.execute(update(OAContact).where(OAContact.app_id == self.app_id,
                                                              OAContact.user_id == user_id)
                                      .values(sent_since=OAContact.sent_since - n))
            else:
                await session.execute(update(OAQuota).where(OAQuota.app_id == self.app_id,
                                                            OAQuota.month == utcnow().strftime("%Y-%m"))
                                      .values(used=OAQuota.used - n))
            await session.commit()

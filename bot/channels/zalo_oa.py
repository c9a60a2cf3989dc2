"""Zalo Official Account (Open API v3): signed webhook events in, customer-service messages out.

Events carry X-ZEvent-Signature = "mac=" + sha256(app_id + raw body + timestamp + OA secret key)
and are answered at once, then processed in arrival order. Replies and announcements go to
`/v3.0/oa/message/cs` with the `access_token` header. The tokens (OATokens, OAToken rows) are
refreshed with the single-use refresh token under a lock and stored together. Announcements respect the OA's message rules (OAContact, OAQuota): a number
of free messages within a window after the user's last message, then a monthly proactive quota.
Zalo's error numbers used here (-216/-124 token, -201 parameters, -213 not following, -32 rate)
are plausible picks, not verified against the live service.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.render import plain, split_text
from bot.channels.zalo import as_plain_text
from db.base import utcnow
from db.models.zalo import OAContact, OAQuota, OAToken
from flows.engine.delivery import PermanentError, RecipientGone, RetryLater, TransientError
from flows.engine.engine import Engine
from flows.engine.messages import Incoming, Reply

log = logging.getLogger(__name__)
CHANNEL = "zalo_oa"
TEXT_LIMIT = 2000
SIGNATURE_HEADER = "X-ZEvent-Signature"
TOKEN_REFUSED = {-216, -124}
NOT_FOLLOWING, RATE_LIMITED = -213, -32


def signature_ok(header: str, app_id: str, raw: bytes, timestamp: str, secret: str) -> bool:
    """Whether the header (with or without "mac=") is sha256(app_id + body + timestamp + secret), in constant time."""
    expected = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + secret.encode()).hexdigest()
    given = header.strip().removeprefix("mac=").lower()
    return hmac.compare_digest(given.encode(), expected.encode())


def to_incoming(event: dict[str, Any]) -> Incoming | None:
    """A user's message as the engine sees it (other messages as empty text); None for other events."""
    name, sender = str(event.get("event_name", "")), event.get("sender") or {}
    message = event.get("message") or {}
    if not name.startswith("user_send_") or not sender.get("id"):
        return None
    text = message.get("text") if name == "user_send_text" else ""
    msg_id = message.get("msg_id")
    return Incoming(CHANNEL, str(sender["id"]), text=str(text or ""), message_id=f"oa{msg_id}" if msg_id else None)


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
            raise PermanentError(f"zalo_oa: token refresh refused: {reason}")
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


class ZaloOAChannel:
    """One Official Account serving the engine, and the announcement queue's way out (`send`)."""

    def __init__(self, engine: Engine, tokens: OATokens, rules: OARules, *, secret_key: str,
                 api_base_url: str = "https://openapi.zalo.me") -> None:
        self.engine, self.tokens, self.rules, self.secret_key = engine, tokens, rules, secret_key
        self.url = f"{api_base_url.rstrip('/')}/v3.0/oa/message/cs"
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Nothing to connect: Zalo calls the webhook."""

    async def stop(self) -> None:
        """Let events in hand finish (10 s at most), then close the HTTP session."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
        await self.stop_sending()

    async def start_sending(self) -> None:
        """Nothing to prepare: the HTTP session opens on first use."""

    async def stop_sending(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/zalo-oa/webhook", self.webhook)]

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        return self._session

    async def webhook(self, request: web.Request) -> web.Response:
        """Accept a correctly signed event of our app (else 403, nothing processed); process it after answering."""
        raw = await request.read()
        try:
            event = json.loads(raw)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            return web.json_response({"error": -1, "message": "bad event"}, status=400)
        app_id = str(event.get("app_id", ""))
        if app_id != self.tokens.app_id or not signature_ok(request.headers.get(SIGNATURE_HEADER, ""), app_id, raw,
                                                            str(event.get("timestamp", "")), self.secret_key):
            return web.json_response({"error": -1, "message": "forbidden"}, status=403)
        incoming = to_incoming(event)
        if incoming is not None:
            task = asyncio.create_task(self._process(incoming))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.json_response({"error": 0, "message": "ok"})

    async def _process(self, incoming: Incoming) -> None:
        async def reply(replies: list[Reply]) -> None:
            if not replies:
                return  # a re-delivered event: nothing to answer, and no new reply window
            try:
                await self.rules.user_wrote(incoming.external_id)
                await self.deliver(incoming.external_id, replies)
            except Exception as exc:  # noqa: BLE001 - a lost reply is logged, not raised into asyncio
                log.warning("zalo OA reply to %s not delivered: %s", incoming.external_id, exc)

        # the first await: the engine's lock keeps the order, and holds it until the replies are out
        await self.engine.handle(incoming, deliver=reply)

    async def deliver(self, user_id: str, replies: list[Reply]) -> None:
        """Send replies in order as plain texts of at most 2000 characters (counted in the reply window)."""
        pieces = [p for reply in replies for p in split_text(as_plain_text(reply), TEXT_LIMIT)]
        await self.rules.count_replies(user_id, len(pieces))
        for piece in pieces:
            await self._post(user_id, piece)

    async def send(self, external_id: str, text: str) -> None:
        """Send an announcement if the OA's rules allow it; otherwise PermanentError says why."""
        pieces = split_text(plain(text), TEXT_LIMIT)
        kind = await self.rules.take(external_id, len(pieces))
        if kind is None:
            raise PermanentError(f"zalo_oa: no free message left in the {self.rules.window.total_seconds() / 3600:g} h "
                                 "window after the user's last message, and no proactive quota left this month")
        sent = 0
        try:
            for piece in pieces:
                await self._post(external_id, piece)
                sent += 1
        finally:
            if sent < len(pieces):
                await self.rules.give_back(external_id, len(pieces) - sent, kind)

    async def _post(self, user_id: str, text: str) -> None:
        """One message; a refused access token is refreshed once; Zalo's answer becomes a delivery outcome."""
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        token = await self.tokens.access_token(self.http)
        for attempt in range(2):
            try:
                async with self.http.post(self.url, json=body, headers={"access_token": token}) as response:
                    status, raw = response.status, await response.read()
                answer = json.loads(raw) if status < 500 else {}
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                raise TransientError(f"zalo_oa: {exc!r}") from exc
            code = answer.get("error") if isinstance(answer, dict) else None
            if status >= 500 or status == 429:
                raise RetryLater(5.0) if status == 429 else TransientError(f"zalo_oa: HTTP {status}")
            if code == 0:
                return
            reason = f"zalo_oa error {code}: {answer.get('message', '') if isinstance(answer, dict) else ''}"
            if code in TOKEN_REFUSED and attempt == 0:
                token = await self.tokens.refresh(self.http, stale=token)
                continue
            if code == NOT_FOLLOWING:
                raise RecipientGone(reason)
            if code == RATE_LIMITED:
                raise RetryLater(60.0, reason)
            raise PermanentError(reason)

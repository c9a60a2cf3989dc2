"""Zalo Official Account (Open API v3): signed webhook events in, customer-service messages out.

Events carry X-ZEvent-Signature = "mac=" + sha256(app_id + raw body + timestamp + OA secret key).
Zalo retries any answer but 200 for hours and may then disable the webhook, so every event this
channel does not take (another app, a bad signature, a malformed body, a timestamp more than
`max_age` seconds away, a msg_id already seen, even after a restart) is answered 200 and dropped
with a log line. A taken event is written to the inbox (bot/inbox/), keyed by its msg_id, before
the 200 (503 when the database does not take it in time: Zalo sends it again), and handled from
there, each user's in arrival order. Replies and
announcements go to `/v3.0/oa/message/cs` with the `access_token` header; tokens and message rules
live in bot/channels/zalo_oa_state.py. Error numbers (third-party tables quoting Zalo's list):
-216 invalid and -220 expired access token, -124 ZNS's expired token (all three refresh once),
-213 user not following, -32 rate limited.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.channels.health import ChannelHealth
from bot.channels.render import plain, split_text
from bot.channels.zalo_oa_state import OARules, OATokens, TokenRefused
from bot.channels.zalo_wire import as_plain_text
from bot.inbox import Busy, Inbox, Work
from flows.engine.delivery import PermanentError, RecipientGone, RetryLater, TransientError
from flows.engine.engine import Deliver, Engine
from flows.engine.messages import Incoming, Reply

__all__ = ["CHANNEL", "OARules", "OATokens", "ZaloOAChannel", "signature_ok"]

log = logging.getLogger(__name__)
CHANNEL = "zalo_oa"
TEXT_LIMIT = 2000
SIGNATURE_HEADER = "X-ZEvent-Signature"
TOKEN_REFUSED = {-216, -220, -124}
NOT_FOLLOWING, RATE_LIMITED = -213, -32
TOKEN_SETTINGS = "ZALO_OA_APP_SECRET, ZALO_OA_REFRESH_TOKEN"
_OK = {"error": 0, "message": "ok"}


def signature_ok(header: str, app_id: str, raw: bytes, timestamp: str, secret: str) -> bool:
    """Whether the header (with or without "mac=") is sha256(app_id + body + timestamp + secret), in constant time."""
    expected = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + secret.encode()).hexdigest()
    given = header.strip().removeprefix("mac=").lower()
    return hmac.compare_digest(given.encode(), expected.encode())


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Sender(_Wire):
    id: str | int | None = None


class _Message(_Wire):
    text: str | None = None
    msg_id: str | int | None = None


class OAEvent(_Wire):
    """A webhook event, as far as this channel reads it."""

    event_name: str
    sender: _Sender | None = None
    message: _Message | None = None


def to_incoming(event: OAEvent) -> Incoming | None:
    """A user's message as the engine sees it (other messages as empty text); None for other events."""
    sender_id = event.sender.id if event.sender else None
    if not event.event_name.startswith("user_send_") or sender_id in (None, ""):
        return None
    message = event.message or _Message()
    text = message.text if event.event_name == "user_send_text" else ""
    msg_id = message.msg_id
    return Incoming(CHANNEL, str(sender_id), text=text or "", message_id=f"oa{msg_id}" if msg_id else None)


class ZaloOAChannel:
    """One Official Account serving the engine, and the announcement queue's way out (`send`)."""

    def __init__(self, engine: Engine, tokens: OATokens, rules: OARules, *, secret_key: str,
                 api_base_url: str = "https://openapi.zalo.me", max_age: float = 300.0,
                 inbox: Inbox | None = None, clock: Callable[[], float] = time.time) -> None:
        self.engine, self.tokens, self.rules, self.secret_key = engine, tokens, rules, secret_key
        self.url = f"{api_base_url.rstrip('/')}/v3.0/oa/message/cs"
        self.max_age, self.clock = max_age, clock
        self.inbox = inbox or Inbox(engine)
        self.inbox.register(CHANNEL, self.read)
        self.health = ChannelHealth(CHANNEL)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Nothing to connect: Zalo calls the webhook."""

    async def stop(self) -> None:
        """Close the HTTP session (events in hand are the inbox's to finish or retry)."""
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

    # ---- incoming ---------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """Take a signed, fresh, well-formed, first-seen event of our app; answer 200 to anything else too."""
        raw = await request.read()
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            return _dropped("not a JSON object")
        app_id, stamp = str(body.get("app_id", "")), str(body.get("timestamp", ""))
        if app_id != self.tokens.app_id:
            return _dropped(f"another app ({app_id[:32]!r})")
        if not signature_ok(request.headers.get(SIGNATURE_HEADER, ""), app_id, raw, stamp, self.secret_key):
            return _dropped("bad signature")
        if not stamp.isascii() or not stamp.isdigit() or abs(self.clock() - int(stamp) / 1000) > self.max_age:
            return _dropped(f"timestamp {stamp[:20]!r} more than {self.max_age:g} s away")
        try:
            event = OAEvent.model_validate(body)
            incoming = to_incoming(event)
        except ValidationError:
            return _dropped("malformed event")
        if incoming is None:
            return web.json_response(_OK)  # not a message (follow, seen, …): nothing to do
        msg_id = event.message.msg_id if event.message else None
        key = str(msg_id) if msg_id not in (None, "") else secrets.token_hex(12)
        try:
            if not await self.inbox.accept(CHANNEL, [(key, body)]):
                return _dropped(f"msg_id {key[:32]!r} seen before", level=logging.INFO)
        except Busy:
            return web.json_response({"error": -1, "message": "busy"}, status=503)  # Zalo sends it again
        return web.json_response(_OK)

    def read(self, payload: Any) -> Work | None:
        """What a stored event asks of the engine, and how to reply; None for events the bot does not handle."""
        incoming = to_incoming(OAEvent.model_validate(payload))
        return None if incoming is None else Work(incoming, self._replier(incoming))

    def _replier(self, incoming: Incoming) -> Deliver:
        async def reply(replies: list[Reply]) -> None:
            if not replies:
                return  # a re-delivered event: nothing to answer, and no new reply window
            try:
                await self.rules.user_wrote(incoming.external_id)
                await self.deliver(incoming.external_id, replies)
            except Exception as exc:  # noqa: BLE001 - a lost reply is logged, not raised into asyncio
                log.warning("zalo OA reply to %s not delivered: %s", incoming.external_id, exc)

        return reply

    # ---- outgoing ---------------------------------------------------------------------------

    async def deliver(self, user_id: str, replies: list[Reply]) -> None:
        """Send replies in order as plain texts of at most 2000 characters (counted in the reply window)."""
        pieces = [p for reply in replies for p in split_text(as_plain_text(reply), TEXT_LIMIT)]
        await self.rules.count_replies(user_id, len(pieces))
        for piece in pieces:
            await self._post(user_id, piece)

    async def send(self, external_id: str, text: str) -> None:
        """Send an announcement if the OA's rules allow it; otherwise PermanentError says why."""
        self.health.check()
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
        self.health.check()
        try:
            await self._post_once(user_id, text)
        except TokenRefused as exc:  # only an operator can fix it: shown in /healthz and on the dashboard
            raise self.health.misconfigured(TOKEN_SETTINGS, str(exc)) from exc

    async def _post_once(self, user_id: str, text: str) -> None:
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
                self.health.working()
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


def _dropped(why: str, level: int = logging.WARNING) -> web.Response:
    """Zalo gets 200 for an event this channel does not take (it retries anything else); the log says why."""
    log.log(level, "zalo OA event dropped: %s", why)
    return web.json_response(_OK)

"""Zalo Bot API (bots from Zalo's bot creator): webhook or long polling in, plain text out.

Calls are `POST {base}/bot{token}/{method}` with JSON; answers are `{ok, result}` or
`{ok: false, error_code, description}`, the error also as the HTTP status. Errors follow Zalo's own
table: 401 is a refused token (a configuration error: logged, shown in /healthz and on the dashboard,
and sending stops), 403 is Zalo's "internal server error" and, like 5xx and timeouts, transient;
429 slows down by a growing delay. Zalo has no "user blocked the bot" code.

getUpdates has no offset and hands consumed updates back, answering at once while its queue is not
empty: polls are spaced by at least `poll_interval`. Every update goes into the inbox (bot/inbox/)
keyed by its message id before it is acknowledged (the webhook answers 503 when the database does not
take it in time), so an update handed back, even after a restart, is not answered twice. Text
messages drive the flows; other messages reach the engine as empty text (a polite request for
text). Buttons become numbered options, HTML plain text, long texts are cut under 2000 characters.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.health import ChannelHealth
from bot.channels.render import plain, split_text
from bot.channels.zalo_wire import (
    CHANNEL,
    Update,
    ZaloApiError,
    as_plain_text,
    message_key,
    parse_update,
    to_incoming,
)
from bot.inbox import Busy, Inbox, Work
from flows.engine.delivery import (
    ChannelMisconfigured,
    DeliveryError,
    PermanentError,
    RecipientGone,
    RetryLater,
    TransientError,
)
from flows.engine.engine import Deliver, Engine
from flows.engine.messages import Incoming, Reply

__all__ = ["CHANNEL", "ZaloApiError", "ZaloBotChannel", "as_plain_text"]

log = logging.getLogger(__name__)
TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TOKEN_SETTING = "ZALO_BOT_TOKEN"
UNAUTHORIZED, NOT_FOUND, NOTHING_ARRIVED, TOO_MANY = 401, 404, 408, 429  # Zalo's table
ZALO_INTERNAL = 403  # "Internal server error" in Zalo's table: transient, not a blocked user
WEBHOOK_SET = 409  # getUpdates refused while a webhook is set (assumed; see tests/fakes/zalo_api.py)


class ZaloBotChannel:
    """One Zalo bot serving the engine, and the announcement queue's way out (`send`)."""

    def __init__(self, engine: Engine, token: str, *, base_url: str = "https://bot-api.zaloplatforms.com",
                 webhook_url: str | None = None, webhook_secret: str | None = None, poll_timeout: int = 30,
                 poll_interval: float = 1.0, request_timeout: float = 15.0, max_backoff: float = 60.0,
                 inbox: Inbox | None = None, health: ChannelHealth | None = None) -> None:
        self.engine = engine
        self.url = f"{base_url.rstrip('/')}/bot{token}/"
        self.webhook_url, self.webhook_secret = webhook_url, webhook_secret
        self.poll_timeout, self.poll_interval = poll_timeout, poll_interval
        self.request_timeout, self.max_backoff = request_timeout, max_backoff
        self.inbox = inbox or Inbox(engine)
        self.inbox.register(CHANNEL, self.read)
        self.health = health or ChannelHealth(CHANNEL)
        self._throttled = 0  # 429 answers in a row: the next delay grows with it
        self._session: aiohttp.ClientSession | None = None
        self._stop = asyncio.Event()
        self._poller: asyncio.Task | None = None

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect: set the webhook (webhook mode) or make sure none is set and start long polling."""
        self._stop.clear()
        if self.webhook_url:
            try:
                await self.call("setWebhook", url=self.webhook_url, secret_token=self.webhook_secret or "")
            except ZaloApiError as exc:
                if not exc.has(UNAUTHORIZED):
                    raise
                return  # a refused token is shown in /healthz and on the dashboard; the rest of the app runs
        else:
            await self._drop_webhook()
            self._poller = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        """Stop polling and close the HTTP session (updates in hand are the inbox's to finish or retry)."""
        self._stop.set()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await self.stop_sending()

    async def start_sending(self) -> None:
        """Nothing to prepare: the HTTP session opens on first use."""

    async def stop_sending(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def routes(self) -> list[web.RouteDef]:
        """The webhook route, when in webhook mode."""
        return [web.post("/zalo/webhook", self.webhook)] if self.webhook_url else []

    async def _drop_webhook(self) -> None:
        """Before polling: delete a webhook if one is set; "none set" (404) is fine, other failures only logged."""
        try:
            info = await self.call("getWebhookInfo")
            if isinstance(info, dict) and not info.get("url"):
                return
            await self.call("deleteWebhook")
        except ZaloApiError as exc:
            if not exc.has(NOT_FOUND):  # 404: no webhook is set, nothing to delete
                log.warning("zalo: could not check or delete the webhook (%s); polling will retry", exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("zalo: could not check or delete the webhook (%r); polling will retry", exc)

    # ---- the Bot API ------------------------------------------------------------------------

    async def call(self, method: str, *, wait: float = 0.0, **params: Any) -> Any:
        """One Bot API call; returns `result`, raises ZaloApiError or an aiohttp/timeout error. 401 marks the health."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=self.request_timeout + wait)
        async with self._session.post(self.url + method, json=params, timeout=timeout) as response:
            raw = await response.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("ok") is not True:
            body = body if isinstance(body, dict) else {}
            code = body.get("error_code")
            error = ZaloApiError(code if isinstance(code, int) and code else response.status,
                                 str(body.get("description", "not JSON" if not body else "")), response.status)
            if error.has(UNAUTHORIZED):
                self.health.misconfigured(TOKEN_SETTING, f"Zalo refused the bot token ({error})")
            raise error
        self.health.working()
        return body.get("result")

    def _outcome(self, exc: Exception) -> DeliveryError:
        """The queue's outcome for a failed call, by Zalo's error table."""
        if isinstance(exc, DeliveryError):
            return exc
        if not isinstance(exc, ZaloApiError):
            return TransientError(f"{type(exc).__name__}: {exc}")  # timeouts, refused connections
        if exc.has(UNAUTHORIZED):
            return ChannelMisconfigured(self.health.pause, f"{exc} (check {TOKEN_SETTING})")
        if exc.has(TOO_MANY):
            self._throttled += 1
            return RetryLater(min(self.max_backoff, 2.0 ** (self._throttled - 1)), str(exc))
        if exc.has(ZALO_INTERNAL) or exc.has(NOTHING_ARRIVED) or exc.code >= 500 or exc.status >= 500:
            return TransientError(str(exc))
        return PermanentError(str(exc))

    # ---- incoming ---------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """Take an update into the inbox if the secret header matches (else 403); 200 once it is committed,
        503 when the database does not take it in time; a malformed body gets 400, nothing processed."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            body = json.loads(await request.read())
        except (ValueError, RecursionError):
            body = None
        update = parse_update(body)
        if update is None:
            return web.json_response({"ok": False, "description": "bad update"}, status=400)
        try:
            await self._take(body, update)
        except Busy:
            return web.json_response({"ok": False, "description": "busy"}, status=503)
        return web.json_response({"ok": True})

    async def _poll(self) -> None:
        """Long polling: one update per getUpdates call, calls at least `poll_interval` apart; errors back off."""
        loop, failures, last = asyncio.get_running_loop(), 0, None
        while not self._stop.is_set():
            if last is not None:
                await self._sleep(last + self.poll_interval - loop.time())
            last = loop.time()
            try:
                result = await self.call("getUpdates", wait=self.poll_timeout, timeout=str(self.poll_timeout))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - polling must survive any answer
                if isinstance(exc, ZaloApiError) and exc.has(NOTHING_ARRIVED):
                    failures = 0
                    continue
                if isinstance(exc, ZaloApiError) and exc.has(UNAUTHORIZED):
                    await self._sleep(self.health.pause)  # logged and shown by the health; try again later
                    continue
                failures += 1
                log.warning("zalo getUpdates failed (%d in a row): %s", failures, exc)
                if isinstance(exc, ZaloApiError) and exc.has(WEBHOOK_SET):
                    await self._quietly("deleteWebhook")
                await self._sleep(min(self.max_backoff, 0.5 * 2 ** min(failures, 10)))
                continue
            failures = 0
            try:
                for body in result if isinstance(result, list) else [result]:
                    update = parse_update(body)
                    if update is None:
                        log.warning("zalo getUpdates gave a malformed update; dropped: %.200r", body)
                        continue
                    await self._take(body, update)
            except Busy:  # Zalo hands the update back on a later call
                failures += 1
                await self._sleep(min(self.max_backoff, 0.5 * 2 ** min(failures, 10)))

    async def _take(self, body: Any, update: Update) -> None:
        """Write an update the bot handles into the inbox (a re-delivered one is already there); Busy if not written."""
        if to_incoming(update) is None:
            return
        if isinstance(body, dict) and "event_name" not in body:  # {ok, result} around it
            body = body["result"]
        key = message_key(update) or secrets.token_hex(12)
        if not await self.inbox.accept(CHANNEL, [(key, body)]):
            log.debug("zalo message %s seen before; dropped", key)

    def read(self, payload: Any) -> Work | None:
        """What a stored update asks of the engine, and how to reply; None for updates the bot does not handle."""
        update = parse_update(payload)
        if update is None:
            raise ValueError("not a Zalo update")
        incoming = to_incoming(update)
        return None if incoming is None else Work(incoming, self._replier(incoming))

    def _replier(self, incoming: Incoming) -> Deliver:
        async def reply(replies: list[Reply]) -> None:
            try:
                await self.deliver(incoming.external_id, replies)
            except Exception as exc:  # noqa: BLE001 - a reply lost to the network is logged, not raised into asyncio
                log.warning("zalo reply to %s not delivered: %s", incoming.external_id, exc)

        return reply

    # ---- outgoing ---------------------------------------------------------------------------

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        """Send replies in order as plain texts of at most 2000 characters; a short retry on 429/5xx/timeouts."""
        for reply in replies:
            for piece in split_text(as_plain_text(reply), TEXT_LIMIT):
                await self._send_piece(chat_id, piece, attempts=3)

    async def send(self, external_id: str, text: str) -> None:
        """Send one announcement (HTML made plain, split); failures become the queue's delivery outcomes."""
        for piece in split_text(plain(text), TEXT_LIMIT):
            await self._send_piece(external_id, piece, attempts=1)

    async def _send_piece(self, chat_id: str, text: str, attempts: int) -> None:
        for attempt in range(1, attempts + 1):
            self.health.check()  # a refused token stops sending: no call until the pause is over
            try:
                await self.call("sendMessage", chat_id=chat_id, text=text)
                self._throttled = 0
                return
            except Exception as exc:  # noqa: BLE001 - classified just below
                error = self._outcome(exc)
                if attempt == attempts or isinstance(error, RecipientGone | PermanentError | ChannelMisconfigured):
                    raise error from exc
                await asyncio.sleep(min(5.0, error.seconds if isinstance(error, RetryLater) else 0.5 * attempt))

    async def _quietly(self, method: str) -> None:
        try:
            await self.call(method)
        except Exception as exc:  # noqa: BLE001 - best effort
            log.warning("zalo %s failed: %s", method, exc)

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

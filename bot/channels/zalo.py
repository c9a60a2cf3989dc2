"""Zalo Bot API (bots from Zalo's bot creator): webhook or long polling in, plain text out.

Calls are `POST {base}/bot{token}/{method}` with JSON; answers are `{ok, result}` or
`{ok: false, error_code, description}`. Text messages drive the flows; images, stickers and
other messages reach the engine as empty text, which answers with a polite request for text
(content/templates/zalo/common/need_text.j2). Buttons become numbered options, HTML becomes
plain text, long texts are cut under 2000 characters and files are replaced by a note on how
to get them. Updates are answered at once and processed after, in arrival order.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.render import as_text, plain, split_text
from flows.engine.content import render
from flows.engine.delivery import DeliveryError, PermanentError, RecipientGone, RetryLater, TransientError
from flows.engine.engine import Engine
from flows.engine.messages import Incoming, Reply

log = logging.getLogger(__name__)
CHANNEL = "zalo"
TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
NOTHING_ARRIVED = 408  # getUpdates: the wait ended without a message
WEBHOOK_SET = 409  # getUpdates refused while a webhook is set (assumed; see tests/fakes/zalo_api.py)
_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


class ZaloApiError(Exception):
    """An answer with `ok: false` (or no JSON at all): the error code, its description, the HTTP status."""

    def __init__(self, code: int, description: str = "", status: int = 200) -> None:
        super().__init__(f"zalo error {code}: {description}")
        self.code, self.description, self.status = code, description, status


def delivery_error(exc: Exception) -> DeliveryError:
    """The queue's outcome for a failed call: 429 slows down, 403 means gone, 408/5xx/network retry, else permanent."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, ZaloApiError):
        code = exc.code if exc.code else exc.status
        if code == 429 or exc.status == 429:
            return RetryLater(1.0, str(exc))
        if code == 403:
            return RecipientGone(str(exc))
        if code == NOTHING_ARRIVED or code >= 500 or exc.status >= 500:
            return TransientError(str(exc))
        return PermanentError(str(exc))
    return TransientError(f"{type(exc).__name__}: {exc}")  # timeouts, refused connections


def unwrap(body: Any) -> dict[str, Any] | None:
    """The update in a webhook body, which comes both bare and wrapped in {ok, result}."""
    if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    if isinstance(body, dict) and isinstance(body.get("event_name"), str) and isinstance(body.get("message"), dict):
        return body
    return None


def to_incoming(update: dict[str, Any]) -> Incoming | None:
    """The engine's view of an update: text for text messages, empty text for other messages, None otherwise."""
    event, message = update.get("event_name", ""), update.get("message") or {}
    sender = message.get("from") or {}
    chat_id = (message.get("chat") or {}).get("id") or sender.get("id")
    if not event.startswith("message.") or not chat_id or sender.get("is_bot"):
        return None
    text = message.get("text") if event == "message.text.received" else ""
    message_id = message.get("message_id")
    return Incoming(CHANNEL, str(chat_id), text=str(text or ""), display_name=sender.get("display_name"),
                    message_id=f"z{message_id}" if message_id else None)


def as_plain_text(reply: Reply) -> str:
    """A reply as Zalo shows it: links spelled out, plain text, numbered options; a file becomes a note."""
    if reply.document is not None:
        doc = reply.document
        return plain(render("zalo/document.j2", filename=doc.filename, caption=doc.caption or ""))
    text = _LINK.sub(lambda m: m.group(2) if m.group(1) in m.group(2) else f"{m.group(2)} ({m.group(1)})",
                     reply.text)
    return as_text(Reply(text, reply.buttons, numbered=reply.numbered))


class ZaloBotChannel:
    """One Zalo bot serving the engine, and the announcement queue's way out (`send`)."""

    def __init__(self, engine: Engine, token: str, *, base_url: str = "https://bot-api.zaloplatforms.com",
                 webhook_url: str | None = None, webhook_secret: str | None = None, poll_timeout: int = 30,
                 request_timeout: float = 15.0, max_backoff: float = 60.0) -> None:
        self.engine = engine
        self.url = f"{base_url.rstrip('/')}/bot{token}/"
        self.webhook_url, self.webhook_secret = webhook_url, webhook_secret
        self.poll_timeout, self.request_timeout, self.max_backoff = poll_timeout, request_timeout, max_backoff
        self._session: aiohttp.ClientSession | None = None
        self._stop = asyncio.Event()
        self._poller: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect: set the webhook (webhook mode) or remove it and start long polling."""
        self._stop.clear()
        if self.webhook_url:
            await self.call("setWebhook", url=self.webhook_url, secret_token=self.webhook_secret or "")
        else:
            await self.call("deleteWebhook")
            self._poller = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        """Stop polling, let updates in hand finish (10 s at most), close the HTTP session."""
        self._stop.set()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
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

    # ---- the Bot API ------------------------------------------------------------------------

    async def call(self, method: str, *, wait: float = 0.0, **params: Any) -> Any:
        """One Bot API call; returns `result`, raises ZaloApiError or an aiohttp/timeout error."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=self.request_timeout + wait)
        async with self._session.post(self.url + method, json=params, timeout=timeout) as response:
            raw = await response.read()
            try:
                body = json.loads(raw)
            except ValueError:
                raise ZaloApiError(response.status, "not JSON", response.status) from None
        if not isinstance(body, dict) or body.get("ok") is not True:
            body = body if isinstance(body, dict) else {}
            raise ZaloApiError(int(body.get("error_code") or response.status), str(body.get("description", "")),
                               response.status)
        return body.get("result")

    # ---- incoming ---------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """Accept an update if the secret header matches (else 403, nothing read); process it after answering."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            update = unwrap(json.loads(await request.read()))
        except ValueError:
            update = None
        if update is None:
            return web.json_response({"ok": False, "description": "bad update"}, status=400)
        self._dispatch(update)
        return web.json_response({"ok": True})

    async def _poll(self) -> None:
        """Long polling: one update per getUpdates call; errors back off (doubling, at most max_backoff)."""
        failures = 0
        while not self._stop.is_set():
            try:
                result = await self.call("getUpdates", wait=self.poll_timeout, timeout=str(self.poll_timeout))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - polling must survive any answer
                if isinstance(exc, ZaloApiError) and exc.code == NOTHING_ARRIVED:
                    failures = 0
                    continue
                failures += 1
                log.warning("zalo getUpdates failed (%d in a row): %s", failures, exc)
                if isinstance(exc, ZaloApiError) and exc.code == WEBHOOK_SET:
                    await self._quietly("deleteWebhook")
                await self._sleep(min(self.max_backoff, 0.5 * 2 ** min(failures, 10)))
                continue
            failures = 0
            for update in result if isinstance(result, list) else [result]:
                if unwrap(update) is not None:
                    self._dispatch(update)

    def _dispatch(self, update: dict[str, Any]) -> None:
        """Process an update in its own task; tasks start in arrival order, so the engine keeps each user's order."""
        incoming = to_incoming(update)
        if incoming is None:
            return
        task = asyncio.create_task(self._process(incoming))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, incoming: Incoming) -> None:
        async def reply(replies: list[Reply]) -> None:
            try:
                await self.deliver(incoming.external_id, replies)
            except Exception as exc:  # noqa: BLE001 - a reply lost to the network is logged, not raised into asyncio
                log.warning("zalo reply to %s not delivered: %s", incoming.external_id, exc)

        # the first await: the engine's lock keeps the order, and holds it until the replies are out
        await self.engine.handle(incoming, deliver=reply)

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
            try:
                await self.call("sendMessage", chat_id=chat_id, text=text)
                return
            except Exception as exc:  # noqa: BLE001 - classified just below
                error = delivery_error(exc)
                if attempt == attempts or isinstance(error, RecipientGone | PermanentError):
                    raise error from exc
                await asyncio.sleep(min(5.0, error.seconds if isinstance(error, RetryLater) else 0.5 * attempt))

    async def _quietly(self, method: str) -> None:
        try:
            await self.call(method)
        except Exception as exc:  # noqa: BLE001 - best effort
            log.warning("zalo %s failed: %s", method, exc)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

"""Telegram through python-telegram-bot 22: long polling, or a webhook on our aiohttp app.

Every update goes into the inbox (bot/inbox/) before Telegram is told it arrived: the webhook
answers 200 only once the update is committed (503 when the database does not take it in time,
so Telegram sends it again), and polling moves its offset past an update only once it is
committed. Updates become flows.engine.messages.Incoming; replies go back as HTML messages with
inline keyboards whose callback data are the engine's stable button ids (bot/channels/telegram_out.py).
A tapped button's message is edited to show the choice and lose its keyboard.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import warnings
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_in import CHANNEL, typed_message
from bot.channels.telegram_out import TEXT_LIMIT, TelegramOutgoing, keyboard
from bot.inbox import Busy, Inbox, Work
from flows.engine.engine import Deliver, Engine
from flows.engine.messages import Incoming, Reply

log = logging.getLogger(__name__)
# We call known methods through do_api_request on purpose: it skips parsing answers nobody reads.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_PAUSE = 30.0  # seconds: the longest wait between polls after errors

__all__ = ["CHANNEL", "TEXT_LIMIT", "BadUpdate", "TelegramChannel", "keyboard", "to_incoming"]


class BadUpdate(ValueError):
    """A body that is not a Telegram update (wrong JSON shape or types)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def to_incoming(update: Update) -> Incoming | None:
    """The engine's view of an update: typed text or a pressed button; None for anything else."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    name = user.full_name
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        if not isinstance(data, str):
            raise BadUpdate("callback data is not text")
        return Incoming(CHANNEL, str(user.id), button=data, display_name=name,
                        message_id=f"cb{update.callback_query.id}")
    message = update.message
    if message is None:
        return None
    text = message.text or message.caption or ""
    if not isinstance(text, str):
        raise BadUpdate("message text is not text")
    return Incoming(CHANNEL, str(user.id), text=text, display_name=name,
                    message_id=f"m{message.chat_id}:{message.message_id}")


class TelegramChannel(TelegramOutgoing):
    """One Telegram bot serving the engine through the inbox; it is also a sender for the queues."""

    def __init__(
        self,
        engine: Engine,
        token: str,
        *,
        base_url: str = "https://api.telegram.org/bot",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        request: BaseRequest | None = None,
        poll_interval: float = 0.0,
        poll_timeout: int = 10,
        inbox: Inbox | None = None,
    ) -> None:
        self.engine = engine
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.poll_interval, self.poll_timeout = poll_interval, poll_timeout
        self.inbox = inbox or Inbox(engine)
        self.inbox.register(CHANNEL, self.read)
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.replace("/bot", "/file/bot"))
            .updater(None)  # we poll ourselves: the offset moves only past what the inbox holds
        )
        builder = builder.request(request or AiohttpRequest(64)).get_updates_request(request or AiohttpRequest(2))
        self.application: Application = builder.build()  # no handlers: every update goes through the inbox
        self._stopping = asyncio.Event()
        self._poller: asyncio.Task | None = None
        self._read_ahead: dict[int, tuple[Any, Work]] = {}  # updates `receive` has read, while they are written

    @property
    def bot(self) -> Any:
        return self.application.bot

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect: set the webhook (webhook mode) or start long polling."""
        await self.application.initialize()
        await self.application.start()
        if self.webhook_url:
            await self.bot.set_webhook(self.webhook_url, secret_token=self.webhook_secret,
                                       allowed_updates=ALLOWED_UPDATES)
        else:
            await self.bot.delete_webhook()
            self._stopping.clear()
            self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self) -> None:
        """Stop polling and the application (updates in hand are the inbox's to finish or retry)."""
        self._stopping.set()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.wait({self._poller}, timeout=5)
            self._poller = None
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def start_sending(self) -> None:
        """Make the bot usable for sending only (e.g. a one-off delivery run), without receiving."""
        await self.bot.initialize()

    async def stop_sending(self) -> None:
        await self.bot.shutdown()

    def routes(self) -> list[web.RouteDef]:
        """The webhook route, when in webhook mode."""
        return [web.post("/telegram/webhook", self.webhook)] if self.webhook_url else []

    # ---- receiving --------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """Take an update from Telegram (secret header checked) into the inbox; 200 once it is committed."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            await self.receive(json.loads(await request.read(), parse_constant=_no_constant))
        except (ValueError, RecursionError):  # BadUpdate and UnicodeDecodeError are ValueErrors
            return web.json_response({"ok": False, "description": "bad update"}, status=400)
        except Busy:
            return web.json_response({"ok": False, "description": "busy, send it again later"}, status=503)
        return web.json_response({"ok": True})

    async def receive(self, payload: Any) -> None:
        """One update as received (a webhook's decoded body): read it, then commit it to the inbox,
        which starts handling it. BadUpdate if it is not an update; Busy if the inbox did not take it."""
        work = self.read(payload)
        if work is not None:
            self._read_ahead[payload["update_id"]] = (payload, work)  # the inbox asks for it right away
            try:
                await self.inbox.accept(CHANNEL, [(str(payload["update_id"]), payload)])
            finally:
                self._read_ahead.pop(payload["update_id"], None)

    async def _poll(self) -> None:
        """Long polling: each batch goes into the inbox before the offset moves past it; on errors
        (Telegram's or the database's) the same batch is asked for again after a growing pause."""
        offset, pause = 0, 0.0
        while not self._stopping.is_set():
            if pause:
                await self._rest(pause)
            try:
                batch = await self.bot.do_api_request(
                    "getUpdates", api_kwargs={"offset": offset or None, "timeout": self.poll_timeout,
                                              "allowed_updates": ALLOWED_UPDATES},
                    read_timeout=self.poll_timeout + 10)
                offset = max(offset, await self._take(batch if isinstance(batch, list) else []))
            except Exception as exc:  # noqa: BLE001 - Telegram's errors, Busy, or a network failure
                pause = min(max(pause * 2, 1.0), MAX_PAUSE)
                log.warning("telegram polling: %s; asking again in %.0f s", str(exc) or type(exc).__name__, pause,
                            exc_info=not isinstance(exc, TelegramError | Busy))
                continue
            pause = self.poll_interval

    async def _take(self, batch: list[Any]) -> int:
        """Write a batch of polled updates to the inbox; returns the offset past it (Busy if not written)."""
        keep, last = [], -1
        for raw in batch:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if type(update_id) is not int:
                continue
            last = max(last, update_id)
            try:
                if self.read(raw) is not None:
                    keep.append((str(update_id), raw))
            except BadUpdate as exc:
                log.warning("telegram polling: update %d dropped: %s", update_id, exc)
        if keep:
            await self.inbox.accept(CHANNEL, keep)
        return last + 1 if last >= 0 else 0

    async def _rest(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    def read(self, payload: Any) -> Work | None:
        """What an update (as received, or as stored in the inbox) asks of the engine, and how to
        reply; None for updates the bot does not handle. BadUpdate if it is not a Telegram update."""
        if not isinstance(payload, dict) or type(payload.get("update_id")) is not int:
            raise BadUpdate("not an update")
        ahead = self._read_ahead.get(payload["update_id"])
        if ahead is not None and ahead[0] is payload:  # read a moment ago by `receive`: not parsed twice
            return ahead[1]
        typed = typed_message(payload)  # most updates: no Update object built
        if typed is not None:
            incoming, chat_id = typed
            return None if incoming is None else Work(incoming, self._replier(None, chat_id, incoming))
        try:
            update = Update.de_json(payload, self.bot)
            incoming = to_incoming(update)
        except BadUpdate:
            raise
        except Exception as exc:  # noqa: BLE001 - PTB raises many kinds on malformed updates
            raise BadUpdate(f"{type(exc).__name__}: {exc}") from exc
        if incoming is None:
            return None
        chat_id = update.effective_chat.id if update.effective_chat else int(incoming.external_id)
        return Work(incoming, self._replier(update.callback_query, chat_id, incoming))

    def _replier(self, query: Any, chat_id: int, incoming: Incoming) -> Deliver:
        """How the replies to `incoming` leave: the pressed keyboard closed, then the messages."""

        async def reply(replies: list[Reply]) -> None:
            if not replies:  # an update handled before (delivered again): nothing more to say
                return
            try:
                if query is not None:
                    await self.close_keyboard(query)
                await self.deliver(chat_id, replies)
            except TelegramError as exc:  # the state is saved: sending again would not help
                log.warning("telegram: replies to %s not sent: %s", chat_id, exc)

        return reply


"""Telegram through python-telegram-bot 22: long polling, or a webhook on our aiohttp app.

Updates become flows.engine.messages.Incoming; replies go back as HTML messages with inline keyboards
whose callback data are the engine's stable button ids. A tapped button's message is edited to
show the choice and lose its keyboard, so an old keyboard cannot be pressed twice by accident.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import warnings
from typing import Any

from aiohttp import web
from telegram import Bot, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.channels.render import split_html
from flows.engine.delivery import PermanentError, RecipientGone, RetryLater, TransientError
from flows.engine.engine import Engine
from flows.engine.messages import Button, Incoming, Reply

log = logging.getLogger(__name__)
# We call known methods through do_api_request on purpose: it skips parsing answers nobody reads.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)
CHANNEL = "telegram"
TEXT_LIMIT = 4096
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def to_incoming(update: Update) -> Incoming | None:
    """The engine's view of an update: typed text or a pressed button; None for anything else."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    name = user.full_name
    if update.callback_query is not None:
        return Incoming(CHANNEL, str(user.id), button=update.callback_query.data or "", display_name=name,
                        message_id=f"cb{update.callback_query.id}")
    message = update.message
    if message is None:
        return None
    return Incoming(CHANNEL, str(user.id), text=message.text or message.caption or "", display_name=name,
                    message_id=f"m{message.chat_id}:{message.message_id}")


def keyboard(buttons: list[Button]) -> dict[str, Any] | None:
    """An inline keyboard: options one or two to a row (short labels share one), navigation last."""
    return _keyboard(tuple(buttons)) if buttons else None


@functools.lru_cache(maxsize=2048)
def _keyboard(buttons: tuple[Button, ...]) -> dict[str, Any]:
    """Built once per distinct set of buttons: a question shows the same keyboard to everyone."""
    rows: list[list[dict[str, str]]] = []
    nav = [b for b in buttons if b.id.endswith(("|_back", "|_skip"))]
    row: list[dict[str, str]] = []
    for b in buttons:
        if b in nav:
            continue
        if row and (len(b.label) > 18 or len(row[0]["text"]) > 18):
            rows.append(row)
            row = []
        row.append({"text": b.label, "callback_data": b.id})
        if len(row) == 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    if nav:
        rows.append([{"text": b.label, "callback_data": b.id} for b in nav])
    return {"inline_keyboard": rows}


class TelegramChannel:
    """One Telegram bot serving the engine; `sender()` gives the announcement queue a way out."""

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
    ) -> None:
        self.engine = engine
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.poll_interval, self.poll_timeout = poll_interval, poll_timeout
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.replace("/bot", "/file/bot"))
            .concurrent_updates(64)
        )
        if request is not None:
            builder = builder.request(request).get_updates_request(request)
        if webhook_url:
            builder = builder.updater(None)
        self.application: Application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)

    @property
    def bot(self) -> Bot:
        return self.application.bot

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect: set the webhook (webhook mode) or start long polling."""
        await self.application.initialize()
        await self.application.start()
        if self.webhook_url:
            await self.bot.set_webhook(self.webhook_url, secret_token=self.webhook_secret,
                                       allowed_updates=["message", "callback_query"])
        else:
            await self.bot.delete_webhook()
            await self.application.updater.start_polling(
                poll_interval=self.poll_interval, timeout=self.poll_timeout,
                allowed_updates=["message", "callback_query"],
            )

    async def stop(self) -> None:
        """Stop polling and the application, letting updates in hand finish."""
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
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

    async def webhook(self, request: web.Request) -> web.Response:
        """Accept an update from Telegram if the secret header matches; process it after answering."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            data = await request.json(loads=json.loads)
            update = Update.de_json(data, self.bot)
        except (ValueError, TypeError, KeyError):
            return web.json_response({"ok": False, "description": "bad update"}, status=400)
        await self.application.update_queue.put(update)
        return web.json_response({"ok": True})

    # ---- conversation -----------------------------------------------------------------------

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = to_incoming(update)
        if incoming is None:
            return
        query = update.callback_query
        chat_id = update.effective_chat.id if update.effective_chat else int(incoming.external_id)

        async def reply(replies: list[Reply]) -> None:
            if query is not None:
                await self._close_keyboard(query)
            await self.deliver(chat_id, replies)

        # the first await: arrival order is lock order; replies are sent before the user's next message
        await self.engine.handle(incoming, deliver=reply)

    async def _close_keyboard(self, query: Any) -> None:
        """Answer the button press and show the choice under its question, without the keyboard."""
        try:
            await self._call("answerCallbackQuery", callback_query_id=query.id)
            message = query.message
            if message is None or not getattr(message, "text", None):
                return
            label = next(
                (b.text for row in (message.reply_markup.inline_keyboard if message.reply_markup else [])
                 for b in row if b.callback_data == query.data),
                None,
            )
            text = message.text_html + (f"\n\n➡️ <b>{_escape(label)}</b>" if label else "")
            await self._call("editMessageText", chat_id=message.chat_id, message_id=message.message_id,
                             text=text[:TEXT_LIMIT], parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # an old message may no longer be editable
            log.debug("could not close keyboard: %s", exc)

    async def deliver(self, chat_id: int | str, replies: list[Reply]) -> None:
        """Send replies in order: long texts split, buttons on the last piece, files as documents."""
        for reply in replies:
            if reply.document is not None:
                doc = reply.document
                await self.bot.send_document(chat_id, InputFile(doc.data, filename=doc.filename),
                                             caption=(doc.caption or "")[:1024] or None)
                continue
            pieces = split_html(reply.text, TEXT_LIMIT)
            for i, piece in enumerate(pieces):
                markup = keyboard(reply.buttons) if i == len(pieces) - 1 else None
                await self._call("sendMessage", chat_id=chat_id, text=piece, parse_mode=ParseMode.HTML,
                                 **({"reply_markup": markup} if markup else {}))

    async def _call(self, method: str, **params: Any) -> Any:
        """One Bot API call; the answer is not parsed into objects, since nothing here reads it."""
        return await self.bot.do_api_request(method, api_kwargs=params)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.warning("telegram update failed: %s", context.error)

    # ---- outgoing for queues ---------------------------------------------------------------

    async def send(self, external_id: str, text: str) -> None:
        """Send one announcement; channel errors become the queue's delivery outcomes."""
        try:
            for piece in split_html(text, TEXT_LIMIT):
                await self._call("sendMessage", chat_id=int(external_id), text=piece, parse_mode=ParseMode.HTML)
        except RetryAfter as exc:
            wait = exc.retry_after
            raise RetryLater(wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)) from exc
        except Forbidden as exc:
            raise RecipientGone(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                raise PermanentError(str(exc)) from exc
            raise TransientError(str(exc)) from exc
        except TelegramError as exc:
            raise PermanentError(str(exc)) from exc

    async def send_tracked(self, external_id: str, text: str) -> str:
        """Send one message (e.g. an author's progress) and return its message id, for later edits."""
        result = await self._call("sendMessage", chat_id=int(external_id), text=text[:TEXT_LIMIT],
                                  parse_mode=ParseMode.HTML)
        return str(result["message_id"])

    async def edit(self, external_id: str, ref: str, text: str) -> None:
        """Replace the text of a message sent by send_tracked; an unchanged text is not an error."""
        try:
            await self._call("editMessageText", chat_id=int(external_id), message_id=int(ref),
                             text=text[:TEXT_LIMIT], parse_mode=ParseMode.HTML)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)

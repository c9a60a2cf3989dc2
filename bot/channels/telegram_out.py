"""What goes out to Telegram: replies as HTML messages with inline keyboards, files as documents,
announcements with their delivery outcomes, and the closing of a tapped keyboard."""

from __future__ import annotations

import functools
import html
import logging
from typing import Any

from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels.render import split_html
from flows.engine.delivery import PermanentError, RecipientGone, RetryLater, TransientError
from flows.engine.messages import Button, Reply

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096


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


class TelegramOutgoing:
    """The sending half of the Telegram channel (it needs `self.bot`)."""

    bot: Bot

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

    async def close_keyboard(self, query: Any) -> None:
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
            text = message.text_html + (f"\n\n➡️ <b>{html.escape(label, quote=False)}</b>" if label else "")
            await self._call("editMessageText", chat_id=message.chat_id, message_id=message.message_id,
                             text=text[:TEXT_LIMIT], parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # an old message may no longer be editable
            log.debug("could not close keyboard: %s", exc)

    async def _call(self, method: str, **params: Any) -> Any:
        """One Bot API call; the answer is not parsed into objects, since nothing here reads it."""
        return await self.bot.do_api_request(method, api_kwargs=params)

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

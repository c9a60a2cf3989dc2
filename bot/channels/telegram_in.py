"""Reading a typed message from Telegram without building python-telegram-bot's objects.

Building an Update (Update.de_json) cost more than everything else a message needs except the
database. A message update whose every field the bot reads has exactly the type the Bot API
documents is read here directly; anything else (button presses, other updates, any odd shape)
goes to python-telegram-bot as before, which reads it or refuses it.
"""

from __future__ import annotations

from typing import Any

from flows.engine.messages import Incoming

CHANNEL = "telegram"


def _text(value: Any) -> bool:
    return value is None or type(value) is str


def typed_message(payload: dict[str, Any]) -> tuple[Incoming | None, int] | None:
    """(the engine's message or None for a bot's own, the chat id) for a well-formed message update;
    None when the update is anything else, for python-telegram-bot to read."""
    message = payload.get("message")
    if "callback_query" in payload or type(message) is not dict:
        return None
    user, chat = message.get("from"), message.get("chat")
    if type(user) is not dict or type(chat) is not dict:
        return None
    uid, first, last = user.get("id"), user.get("first_name"), user.get("last_name")
    if type(uid) is not int or type(user.get("is_bot")) is not bool or type(first) is not str or not _text(last):
        return None
    chat_id, message_id = chat.get("id"), message.get("message_id")
    if type(chat_id) is not int or type(chat.get("type")) is not str or type(message_id) is not int:
        return None
    if type(message.get("date")) is not int or not _text(message.get("text")) or not _text(message.get("caption")):
        return None
    if user["is_bot"]:
        return None, chat_id
    name = f"{first} {last}" if last else first
    text = message.get("text") or message.get("caption") or ""
    return Incoming(CHANNEL, str(uid), text=text, display_name=name, message_id=f"m{chat_id}:{message_id}"), chat_id

"""An in-memory Bot API for benchmarks: python-telegram-bot's requests answered without a network."""

from __future__ import annotations

import itertools
import json
import time

from telegram.request import BaseRequest, RequestData

BOT = {"id": 1, "is_bot": True, "first_name": "HTX Bot", "username": "htx_bench_bot"}


class MemoryRequest(BaseRequest):
    """Answers getMe, sendMessage, editMessageText, answerCallbackQuery like Telegram would."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.calls = 0

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data: RequestData | None = None, read_timeout=None,
                         write_timeout=None, connect_timeout=None, pool_timeout=None) -> tuple[int, bytes]:
        self.calls += 1
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name == "getMe":
            result: object = BOT
        elif name in ("sendMessage", "editMessageText"):
            result = {"message_id": next(self._ids), "date": int(time.time()),
                      "chat": {"id": int(params.get("chat_id", 1)), "type": "private"}, "from": BOT,
                      "text": params.get("text", "")}
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


def user(uid: int) -> dict:
    return {"id": uid, "is_bot": False, "first_name": f"Nông dân {uid}"}


def text_update(update_id: int, uid: int, text: str) -> dict:
    message = {"message_id": update_id, "date": int(time.time()), "chat": {"id": uid, "type": "private"},
               "from": user(uid), "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def tap_update(update_id: int, uid: int, data: str, label: str) -> dict:
    message = {"message_id": update_id - 1, "date": int(time.time()), "chat": {"id": uid, "type": "private"},
               "from": BOT, "text": "Bạn là ai?",
               "reply_markup": {"inline_keyboard": [[{"text": label, "callback_data": data}]]}}
    return {"update_id": update_id, "callback_query": {"id": str(update_id), "from": user(uid), "message": message,
                                                       "chat_instance": str(uid), "data": data}}

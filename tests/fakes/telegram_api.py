"""A fake Telegram Bot API on 127.0.0.1 that python-telegram-bot 22 talks to over real HTTP."""

from __future__ import annotations

import itertools
import time
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes._server import Call, FakeServer
from tests.fakes._telegram_html import EntityParseError, parse_html
from tests.fakes._telegram_wire import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    NOT_MODIFIED,
    TEXT_LIMIT,
    ApiError,
    buttons,
    error_response,
    read_params,
)


class TelegramFake(FakeServer):
    """Serves `/bot{token}/{method}` and `/file/bot{token}/{path}`; `base_url + "/bot"` goes to PTB's base_url."""

    def __init__(self, token: str = "123:ABC", *, long_poll_cap: float = 2.0) -> None:
        super().__init__(long_poll_cap=long_poll_cap)
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_user = {"id": int(bot_id) if bot_id.isdigit() else 1, "is_bot": True, "first_name": "HTX Bot",
                         "username": "htx_test_bot", "can_join_groups": False,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.updates: list[dict[str, Any]] = []
        self.answered_callbacks: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None}
        self._chats: dict[Any, dict[int, dict[str, Any]]] = {}
        self._names: dict[Any, str] = {}
        self._pending_callbacks: set[str] = set()
        self._files: dict[str, tuple[str, bytes]] = {}
        self._update_ids = itertools.count(10_001)
        self._ids = itertools.count(1)
        self._methods = {
            "getme": lambda p, f: self.bot_user, "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook, "getwebhookinfo": self._webhook_info,
            "setmycommands": self._set_commands, "sendmessage": self._send_message,
            "editmessagetext": self._edit_text, "editmessagereplymarkup": self._edit_markup,
            "answercallbackquery": self._answer_callback, "senddocument": self._send_document,
            "sendchataction": lambda p, f: True, "getfile": self._get_file,
        }

    def _routes(self) -> list[web.RouteDef]:
        return [web.route("*", "/bot{token}/{method}", self._handle),
                web.get("/file/bot{token}/{path:.+}", self._download)]

    @property
    def file_base_url(self) -> str:
        """What PTB's `base_file_url` should be."""
        return self.base_url + "/file/bot"

    # --- the test author's side ---------------------------------------------------------------

    def user_says(self, chat_id: int, text: str, first_name: str = "Nông") -> dict[str, Any]:
        """Queue a private text message from user `chat_id` (commands get a bot_command entity)."""
        self._names[chat_id] = first_name
        message = self._new_message(chat_id, self._user(chat_id), text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
        return self._enqueue({"message": message})

    def user_taps(self, chat_id: int, callback_data: str, message_id: int | None = None) -> dict[str, Any]:
        """Queue a tap on a button of the bot's message `message_id` (default: its last one with buttons)."""
        chat = self._chats.get(chat_id, {})
        if message_id is None:
            with_buttons = [m for m in chat.values() if m["from"]["is_bot"] and buttons(m.get("reply_markup"))]
            if not with_buttons:
                raise ValueError(f"no bot message with buttons in chat {chat_id}")
            message_id = with_buttons[-1]["message_id"]
        message = chat.get(message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if callback_data not in {b.get("callback_data") for b in buttons(message.get("reply_markup"))}:
            raise ValueError(f"message {message_id} has no button {callback_data!r}")
        query_id = str(next(self._ids) + 900_000)
        self._pending_callbacks.add(query_id)
        query = {"id": query_id, "from": self._user(chat_id), "message": dict(message),
                 "chat_instance": f"ci{chat_id}", "data": callback_data}
        return self._enqueue({"callback_query": query})

    @property
    def sent(self) -> list[Call]:
        """Successful calls that acted on a chat (send*, edit*, answerCallbackQuery, sendChatAction)."""
        return [c for c in self.calls if c.ok and c.method.lower().startswith(("send", "edit", "answer"))]

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in `chat_id` as the user sees them now (edits applied), oldest first."""
        return [dict(m) for m in self._chats.get(chat_id, {}).values() if m["from"]["is_bot"]]

    # --- plumbing -----------------------------------------------------------------------------

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": self._names.get(chat_id, "Nông"), "language_code": "vi"}

    def _enqueue(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self.updates.append(update)
        self._notify()
        return update

    def _new_message(self, chat_id: Any, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat = self._chats.setdefault(chat_id, {})
        message_id = max(chat, default=0) + 1
        message = {"message_id": message_id, "date": int(time.time()), "from": sender,
                   "chat": {"id": chat_id, "type": "private", "first_name": self._names.get(chat_id, "Nông")},
                   **{k: v for k, v in content.items() if v is not None}}
        chat[message_id] = message
        return message

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self.calls.append(Call(method, status=401, error_code=401))
            return error_response(ApiError(401))
        params, files = await read_params(request)
        call = Call(method, chat_id=params.get("chat_id"), text=params.get("text", params.get("caption")),
                    reply_markup=params.get("reply_markup"), params=params)
        if "document" in files:
            call.document_name, call.document_bytes = files["document"][0], files["document"][1]
        self.calls.append(call)
        try:
            fault = self._take_fault(method, call.chat_id)
            if fault is not None:
                await self._pause(fault.delay)
                if fault.code is not None:
                    extra = {"retry_after": fault.retry_after or 1} if fault.code == 429 else None
                    description = fault.description or (f"Too Many Requests: retry after {extra['retry_after']}"
                                                        if extra else None)
                    raise ApiError(fault.code, description, extra)
            if method.lower() == "getupdates":
                result = await self._get_updates(params)
            elif method.lower() in self._methods:
                result = self._methods[method.lower()](params, files)
            else:
                raise ApiError(404)
        except ApiError as error:
            call.status = call.error_code = error.code
            return error_response(error)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        for name, data in self._files.values():
            if request.match_info["path"] == f"documents/{name}":
                return web.Response(body=data)
        raise web.HTTPNotFound()

    # --- Bot API methods ----------------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        await self._wait_until(lambda: bool(self.updates), float(params.get("timeout") or 0))
        return self.updates[: int(params.get("limit") or 100)]

    def _set_webhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    def _delete_webhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _webhook_info(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}

    def _set_commands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.commands = list(params.get("commands") or [])
        return True

    @staticmethod
    def _formatted(params: dict[str, Any], key: str, limit: int) -> tuple[str, list[dict[str, Any]]]:
        """The text (or caption) as the user will see it, checked like the Bot API checks it."""
        raw = params.get(key) or ""
        if params.get("parse_mode", "").upper() == "HTML":
            try:
                text, entities = parse_html(raw)
            except EntityParseError as error:
                raise ApiError(400, str(error)) from None
        else:
            text, entities = raw, list(params.get(f"{'caption_' if key == 'caption' else ''}entities") or [])
        if key == "text" and not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > limit:
            raise ApiError(400, "Bad Request: message is too long" if key == "text"
                           else "Bad Request: message caption is too long")
        return text, entities

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        for button in buttons(markup):
            if len(str(button.get("callback_data", "")).encode()) > CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup if buttons(markup) else None

    def _chat_id(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        return chat_id

    def _send_message(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text, entities = self._formatted(params, "text", TEXT_LIMIT)
        return self._new_message(chat_id, self.bot_user, text=text, entities=entities or None,
                                 reply_markup=self._markup(params))

    def _send_document(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        caption, entities = self._formatted(params, "caption", CAPTION_LIMIT)
        if "document" in files:
            name, data = files["document"]
        elif params.get("document"):
            name, data = str(params["document"]).rsplit("/", 1)[-1], b""
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        file_id = f"doc{next(self._ids)}"
        self._files[file_id] = (name, data)
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name, "file_size": len(data)}
        return self._new_message(chat_id, self.bot_user, document=document, caption=caption or None,
                                 caption_entities=entities or None, reply_markup=self._markup(params))

    def _get_file(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        if params.get("file_id") not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        name, data = self._files[params["file_id"]]
        return {"file_id": params["file_id"], "file_unique_id": f"u{params['file_id']}",
                "file_size": len(data), "file_path": f"documents/{name}"}

    def _bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._chats.get(self._chat_id(params), {}).get(int(params.get("message_id") or 0))
        if message is None or not message["from"]["is_bot"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _edit_text(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(params)
        text, entities = self._formatted(params, "text", TEXT_LIMIT)
        markup = self._markup(params)
        if (text, entities, markup) == (message.get("text"), message.get("entities", []), message.get("reply_markup")):
            raise ApiError(400, NOT_MODIFIED)
        message.update(text=text, entities=entities, edit_date=int(time.time()))
        message.pop("reply_markup", None)  # like the real API, an edit without markup drops the keyboard
        if markup:
            message["reply_markup"] = markup
        return dict(message)

    def _edit_markup(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(params)
        markup = self._markup(params)
        if markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return dict(message)

    def _answer_callback(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._pending_callbacks:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._pending_callbacks.discard(query_id)
        self.answered_callbacks.append({"callback_query_id": query_id, "text": params.get("text"),
                                        "show_alert": bool(params.get("show_alert", False))})
        return True


async def post_update(url: str, update: dict[str, Any], secret_token: str | None = None,
                      timeout: float = 5.0) -> int:  # noqa: ASYNC109
    """POST an update to a bot's webhook as Telegram does (with the secret header if given); returns the status."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token is not None else {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.post(url, json=update, headers=headers) as response:
            await response.read()
            return response.status

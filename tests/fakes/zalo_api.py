"""A fake Zalo Bot API (bots from Zalo's bot creator) on 127.0.0.1, spoken to with aiohttp.

Shapes follow /work/shared/domain/channels.md, which was not checked against the live service. What
independent clients observed is modelled: errors come with the matching HTTP status (pass
`error_http_status=200` for errors inside a 200), getUpdates hands consumed updates back
(`redeliveries` more times each, at the back of the queue, answered at once) and getWebhookInfo
answers 404 when no webhook is set. Assumptions: the error descriptions, the code refusing getUpdates
under a webhook (409), and deleteWebhook answering 404 too when there is nothing to delete.
The Official Account fake lives in zalo_oa.py and is re-exported here.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes._server import Call, FakeServer
from tests.fakes.zalo_oa import ZaloOAFake, oa_text_event, post_oa_event, sign_oa_event

__all__ = ["ZaloBotFake", "ZaloOAFake", "oa_text_event", "post_oa_event", "post_zalo_update", "sign_oa_event"]

TEXT_LIMIT = 2000
_DESCRIPTIONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 408: "Request timeout", 409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error"}


class ZaloError(Exception):
    """An `{"ok": false, "error_code": N, "description": ...}` answer."""

    def __init__(self, code: int, description: str | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description or _DESCRIPTIONS.get(code, "Error")


def _now_ms() -> int:
    return int(time.time() * 1000)


class ZaloBotFake(FakeServer):
    """Serves `POST /bot{token}/{method}`; hand `base_url` to the channel as the Bot API base."""

    def __init__(self, token: str = "1234567890:zalo-secret", *, long_poll_cap: float = 2.0,
                 error_http_status: int | None = None, redeliveries: int = 1) -> None:
        super().__init__(long_poll_cap=long_poll_cap)
        self.token = token
        self.error_http_status = error_http_status
        self.redeliveries = redeliveries
        self.served: dict[str, int] = {}  # message id -> how many times getUpdates handed it out
        self.bot_id = token.split(":", 1)[0]
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None, "updated_at": 0}
        self._methods = {
            "getme": self._get_me, "setwebhook": self._set_webhook, "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._webhook_info, "sendmessage": self._send_message,
            "sendphoto": self._send_photo, "sendsticker": self._send_sticker, "sendchataction": self._chat_action,
        }

    def _routes(self) -> list[web.RouteDef]:
        return [web.route("*", "/bot{token}/{method}", self._handle)]

    # --- the test author's side ---------------------------------------------------------------

    def user_says(self, user_id: str | int, text: str, display_name: str = "Nông dân") -> dict[str, Any]:
        """Queue a `message.text.received` update from `user_id` in a private chat."""
        return self._enqueue("message.text.received", user_id, display_name, text=text)

    def user_sends_image(self, user_id: str | int, url: str = "https://example.invalid/anh.jpg",
                         caption: str | None = None, display_name: str = "Nông dân") -> dict[str, Any]:
        """Queue a `message.image.received` update (something the bot cannot read as text)."""
        return self._enqueue("message.image.received", user_id, display_name, photo=url, caption=caption)

    def user_sends_sticker(self, user_id: str | int, sticker: str = "sticker-1",
                           display_name: str = "Nông dân") -> dict[str, Any]:
        """Queue a `message.sticker.received` update."""
        return self._enqueue("message.sticker.received", user_id, display_name, sticker=sticker)

    @property
    def sent(self) -> list[Call]:
        """Successful send* calls (sendMessage, sendPhoto, sendSticker, sendChatAction)."""
        return [c for c in self.calls if c.ok and c.method.lower().startswith("send")]

    def messages_to(self, chat_id: str | int) -> list[Call]:
        """Successful sendMessage/sendPhoto/sendSticker calls to `chat_id`, oldest first."""
        return [c for c in self.sent if str(c.chat_id) == str(chat_id) and c.method.lower() != "sendchataction"]

    def _enqueue(self, event: str, user_id: str | int, display_name: str, **content: Any) -> dict[str, Any]:
        message = {"message_id": uuid.uuid4().hex, "date": _now_ms(),
                   "from": {"id": str(user_id), "display_name": display_name, "is_bot": False},
                   "chat": {"id": str(user_id), "chat_type": "PRIVATE"},
                   **{k: v for k, v in content.items() if v is not None}}
        update = {"event_name": event, "message": message}
        self.updates.append(update)
        self._notify()
        return update

    # --- plumbing -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            params = {}
        call = Call(method, chat_id=params.get("chat_id"), text=params.get("text", params.get("caption")),
                    params=params)
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ZaloError(401)
            fault = self._take_fault(method, call.chat_id)
            if fault is not None:
                await self._pause(fault.delay)
                if fault.code is not None:
                    raise ZaloError(fault.code, fault.description)
            if method.lower() == "getupdates":
                result = await self._get_updates(params)
            elif method.lower() in self._methods:
                result = self._methods[method.lower()](params)
            else:
                raise ZaloError(404)
        except ZaloError as error:
            call.error_code = error.code
            call.status = self.error_http_status or error.code
            body = {"ok": False, "error_code": error.code, "description": error.description}
            return web.json_response(body, status=call.status)
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook["url"]:
            raise ZaloError(409, "Conflict: getUpdates is not available while a webhook is set")
        try:
            timeout = float(params.get("timeout", 0))
        except (TypeError, ValueError):
            raise ZaloError(400, "timeout must be a number of seconds") from None
        if not await self._wait_until(lambda: bool(self.updates), timeout):
            raise ZaloError(408)
        update = self.updates.pop(0)
        message = update.get("message") if isinstance(update, dict) else None
        key = str(message.get("message_id")) if isinstance(message, dict) else repr(update)
        self.served[key] = self.served.get(key, 0) + 1
        if self.served[key] <= self.redeliveries:  # consumed updates come back on later polls
            self.updates.append(update)
        return update

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.bot_id, "account_name": "bot.htx", "account_type": "BASIC",
                "can_join_groups": False, "display_name": "HTX Bot"}

    def _set_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url.startswith("https://"):
            raise ZaloError(400, "url must be an HTTPS address")
        if not 8 <= len(secret) <= 256:
            raise ZaloError(400, "secret_token must be 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": _now_ms()}
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    def _delete_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self.webhook["url"]:
            raise ZaloError(404, "Not Found: no webhook is set")
        self.webhook = {"url": "", "secret_token": None, "updated_at": _now_ms()}
        return {"url": "", "updated_at": self.webhook["updated_at"]}

    def _webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self.webhook["url"]:
            raise ZaloError(404, "Not Found: no webhook is set")
        return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}

    def _delivered(self, params: dict[str, Any]) -> dict[str, Any]:
        if not str(params.get("chat_id") or ""):
            raise ZaloError(400, "chat_id is required")
        return {"message_id": uuid.uuid4().hex, "date": _now_ms()}

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            raise ZaloError(400, f"text must be 1 to {TEXT_LIMIT} characters")
        return self._delivered(params)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        if not str(params.get("photo") or "").startswith(("http://", "https://")):
            raise ZaloError(400, "photo must be a URL")
        return self._delivered(params)

    def _send_sticker(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("sticker"):
            raise ZaloError(400, "sticker is required")
        return self._delivered(params)

    def _chat_action(self, params: dict[str, Any]) -> bool:
        self._delivered(params)
        return True


async def post_zalo_update(url: str, update: Any, secret: str | None = None, wrapped: bool = False,
                           timeout: float = 5.0, raw: bytes | None = None) -> int:  # noqa: ASYNC109
    """POST an update to a Zalo bot webhook (X-Bot-Api-Secret-Token), bare or as {ok, result}; returns the status.

    `raw` sends those bytes instead (for bodies that are not JSON at all)."""
    body = {"ok": True, "result": update} if wrapped else update
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Bot-Api-Secret-Token"] = secret
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.post(url, data=data, headers=headers) as response:
            await response.read()
            return response.status

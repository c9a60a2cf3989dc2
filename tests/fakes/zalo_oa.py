"""A fake Zalo Official Account Open API (v3 send, v4 OAuth refresh) on 127.0.0.1, plus signed webhook posts.

Paths, headers and success shapes follow /work/shared/domain/channels.md (not checked against the live
service). Error numbers from third-party tables quoting Zalo's list: -216 invalid access token, -220
access token expired or removed, -201 invalid parameters; plausible picks, not verified: -14014 invalid
or reused refresh token, -14002 wrong app id or secret key. OAuth errors are answered with HTTP 200, as
Zalo's token endpoint is reported to do. A refresh must be signed (header `secret_key`) with the
application's secret key (`app_secret`); one signed with the OA secret key (`secret_key`, which signs
webhooks) is refused and counted in `refreshes_with_oa_key`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import uuid
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes._server import Call, FakeServer

TEXT_LIMIT = 2000
INVALID_ACCESS_TOKEN = -216
EXPIRED_ACCESS_TOKEN = -220
INVALID_PARAMETERS = -201
INVALID_REFRESH_TOKEN = -14014
INVALID_APP = -14002


class ZaloOAFake(FakeServer):
    """Serves `/v3.0/oa/message/cs` and `/v4/oa/access_token`; `openapi_base` and `oauth_base` both point here.

    Fault injection names the calls "send" and "refresh"; `status` is then the (negative) Zalo error number.
    """

    def __init__(self, app_id: str = "4321", secret_key: str = "oa-secret-key",
                 access_token: str = "access-0", refresh_token: str = "refresh-0",
                 app_secret: str = "oa-app-secret") -> None:
        super().__init__()
        self.app_id = app_id
        self.secret_key = secret_key
        self.app_secret = app_secret
        self.access_tokens = {access_token}
        self.expired_tokens: set[str] = set()
        self.refreshes_with_oa_key = 0
        self.refresh_token = refresh_token
        self.refresh_calls = 0
        self.reused_refresh_tokens: list[str] = []
        self._spent: set[str] = set()
        self._generation = itertools.count(1)

    def _routes(self) -> list[web.RouteDef]:
        return [web.post("/v3.0/oa/message/cs", self._send), web.post("/v4/oa/access_token", self._refresh)]

    @property
    def openapi_base(self) -> str:
        """Stands in for https://openapi.zalo.me."""
        return self.base_url

    @property
    def oauth_base(self) -> str:
        """Stands in for https://oauth.zaloapp.com."""
        return self.base_url

    @property
    def sent(self) -> list[Call]:
        """Messages the OA accepted."""
        return [c for c in self.calls if c.ok and c.method == "send"]

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired (-220 when used), as after ~25 hours."""
        self.expired_tokens |= self.access_tokens
        self.access_tokens.clear()

    async def _send(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            body = {}
        user_id = (body.get("recipient") or {}).get("user_id")
        text = (body.get("message") or {}).get("text")
        call = Call("send", chat_id=user_id, text=text, params=body)
        self.calls.append(call)
        error = await self._fault(call)
        token = request.headers.get("access_token")
        if error is None and token in self.expired_tokens:
            error = (EXPIRED_ACCESS_TOKEN, "Access token has expired or been removed")
        if error is None and token not in self.access_tokens:
            error = (INVALID_ACCESS_TOKEN, "Access token is invalid")
        if error is None and (not user_id or not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT):
            error = (INVALID_PARAMETERS, f"Parameters are invalid: user_id and text of 1 to {TEXT_LIMIT} characters")
        if error is not None:
            call.error_code = error[0]
            return web.json_response({"error": error[0], "message": error[1]})
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": uuid.uuid4().hex, "user_id": user_id}})

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("refresh_token") or "")
        call = Call("refresh", params={k: str(v) for k, v in form.items()})
        self.calls.append(call)
        self.refresh_calls += 1
        error = await self._fault(call)
        signed_with = request.headers.get("secret_key")
        if error is None and signed_with == self.secret_key != self.app_secret:
            self.refreshes_with_oa_key += 1  # the OA secret key signs webhooks, not token refreshes
        if error is None and (signed_with != self.app_secret or form.get("app_id") != self.app_id):
            error = (INVALID_APP, "Invalid app id or secret key")
        if error is None and (form.get("grant_type") != "refresh_token" or token != self.refresh_token):
            if token in self._spent:
                self.reused_refresh_tokens.append(token)
            error = (INVALID_REFRESH_TOKEN, "Invalid refresh token")
        if error is not None:
            call.error_code = error[0]
            return web.json_response({"error": error[0], "error_name": error[1],
                                      "error_reason": "The refresh token is invalid, expired or already used",
                                      "error_description": error[1]})
        generation = next(self._generation)
        self._spent.add(token)
        self.refresh_token = f"refresh-{generation}"
        access = f"access-{generation}"
        self.access_tokens.add(access)
        return web.json_response({"access_token": access, "refresh_token": self.refresh_token,
                                  "expires_in": "90000"})

    async def _fault(self, call: Call) -> tuple[int, str] | None:
        fault = self._take_fault(call.method, call.chat_id)
        if fault is None:
            return None
        await self._pause(fault.delay)
        return None if fault.code is None else (fault.code, fault.description or "Injected failure")


def sign_oa_event(app_id: str, raw_body: bytes, timestamp: str, secret: str) -> str:
    """The X-ZEvent-Signature value: "mac=" + sha256 hex of app_id + raw body + timestamp + OA secret key."""
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + secret.encode()).hexdigest()
    return "mac=" + digest


def oa_text_event(app_id: str, user_id: str, text: str, oa_id: str = "oa-1",
                  msg_id: str | None = None, timestamp: str | None = None) -> dict[str, Any]:
    """A `user_send_text` webhook event from `user_id` to the OA."""
    return {"event_name": "user_send_text", "app_id": app_id, "sender": {"id": user_id},
            "recipient": {"id": oa_id}, "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex},
            "timestamp": timestamp or str(int(time.time() * 1000))}


async def post_oa_event(url: str, event: Any, app_id: str, secret: str, timestamp: str | None = None,
                        with_mac_prefix: bool = True, timeout: float = 5.0,  # noqa: ASYNC109
                        raw: bytes | None = None) -> int:
    """POST a signed OA webhook event (timestamp defaults to the event's own); returns the HTTP status.

    `event` may be any JSON value; `raw` sends (and signs) those bytes instead."""
    if raw is None:
        raw = json.dumps(event, ensure_ascii=False).encode()
    own = event.get("timestamp") if isinstance(event, dict) else None
    stamp = timestamp or str(own or int(time.time() * 1000))
    signature = sign_oa_event(app_id, raw, stamp, secret)
    if not with_mac_prefix:
        signature = signature.removeprefix("mac=")
    headers = {"X-ZEvent-Signature": signature, "Content-Type": "application/json"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.post(url, data=raw, headers=headers) as response:
            await response.read()
            return response.status

"""The web channel: a JSON chat API on our aiohttp app for the chat page anyone can open.

A visitor is a user of the channel "web" known by a random id in a signed, HttpOnly,
SameSite=Lax cookie; a missing or forged cookie makes a new user. POST /api/chat takes
{"text": ...} or {"button": id} (and an optional client message id, so a resent message is not
handled twice) and answers {"replies": [{"html", "buttons", "numbered", "document"?}]}. The message
is written to the inbox (bot/inbox/) first; if that fails in time, the answer is 503 with "hệ thống
đang bận" as its error. Files are kept in memory for a few minutes behind a download link with a
random key (no user id in it), served only to their owner's cookie. New visitors (no cookie) are
limited per client address and all together (bot/web/visitors.py): over it, a clear 429.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import re
import secrets
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.channels.render import plain
from bot.inbox import Busy, Inbox, Work
from flows.engine.content import render
from flows.engine.engine import Engine
from flows.engine.messages import Document, Incoming, Reply

if TYPE_CHECKING:
    from bot.web.visitors import Visitors

CHANNEL = "web"
COOKIE = "htxbot_web"
COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie; refreshed on every visit
MAX_BODY = 32 * 1024  # bytes: a message of max_message_chars fits even as \\u escapes
MAX_BUTTON = 256
FILE_TTL = 15 * 60  # seconds a download link and its file live
MAX_FILES = 200
_USER_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_TAG = re.compile(r"(<[^<>]*>)")
_SIMPLE = re.compile(r"</?(?:b|i|u|s|code|pre)>|</a>")
_LINK = re.compile(r'<a\s+href="([^"]*)">')
_NO_STORE = {"Cache-Control": "no-store"}


def safe_html(text: str) -> str:
    """Our templates' Telegram HTML as page HTML: known tags kept, any other '<' shown as text."""
    out = []
    for part in _TAG.split(text):
        if not part.startswith("<"):
            out.append(part.replace("<", "&lt;"))
        elif _SIMPLE.fullmatch(part):
            out.append(part)
        elif (link := _LINK.fullmatch(part)) and html.unescape(link[1]).startswith(("https://", "http://")):
            out.append(f'<a href="{link[1]}" target="_blank" rel="noopener noreferrer">')
        else:
            out.append(html.escape(part, quote=False))
    return "".join(out)


def session_tag(user_id: str) -> str:
    """A short, non-secret tag of a visitor's id: the page drops a saved transcript of another id."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:16]


class _Files:
    """Documents waiting to be downloaded: a bounded store in memory, oldest and expired dropped first."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[float, str, Document]] = OrderedDict()

    def put(self, owner: str, document: Document) -> str:
        now = time.monotonic()
        while self._items and (len(self._items) >= MAX_FILES or next(iter(self._items.values()))[0] < now):
            self._items.popitem(last=False)
        key = secrets.token_urlsafe(24)
        self._items[key] = (now + FILE_TTL, owner, document)
        return key

    def get(self, owner: str, key: str) -> Document | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic() or item[1] != owner:
            return None
        return item[2]


class WebChat:
    """The web channel's API over one engine; `routes()` are added to the app's web routes."""

    def __init__(self, engine: Engine, secret: str, inbox: Inbox | None = None,
                 visitors: Visitors | None = None) -> None:
        self.engine = engine
        self.inbox = inbox or Inbox(engine)
        self.inbox.register(CHANNEL, read)
        self.visitors = visitors
        self._users = URLSafeTimedSerializer(secret, salt="htxbot.web.user")
        self._files = _Files()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/chat", self.post_message),
            web.get("/api/chat/file/{token}", self.get_file),
        ]

    # ---- who is asking ----------------------------------------------------------------------

    def visitor(self, request: web.Request) -> str | None:
        """The id in the request's cookie, if its signature holds; None for a new or forged cookie."""
        value = request.cookies.get(COOKIE)
        if not value:
            return None
        try:
            user_id = self._users.loads(value, max_age=COOKIE_AGE)
        except BadSignature:
            return None
        return user_id if isinstance(user_id, str) and _USER_ID.fullmatch(user_id) else None

    def identify(self, request: web.Request) -> str | None:
        """The visitor's id, or a new random one; None when no more new visitors are let in for now."""
        known = self.visitor(request)
        if known is None and self.visitors is not None and not self.visitors.admit_new(request):
            return None
        return known or secrets.token_urlsafe(16)

    def remember(self, request: web.Request, response: web.StreamResponse, user_id: str) -> None:
        """(Re)set the signed cookie for another COOKIE_AGE."""
        response.set_cookie(COOKIE, self._users.dumps(user_id), max_age=COOKIE_AGE, path="/",
                            httponly=True, samesite="Lax", secure=request.secure)

    # ---- the API ----------------------------------------------------------------------------

    async def post_message(self, request: web.Request) -> web.Response:
        """Hand one typed text or pressed button to the engine; answer with the replies."""
        user_id = self.identify(request)
        if user_id is None:
            return _error(429, "too_many_visitors")
        response = await self._answer(request, user_id)
        self.remember(request, response, user_id)
        return response

    async def _answer(self, request: web.Request, user_id: str) -> web.Response:
        payload = await _read_json(request)
        if isinstance(payload, web.Response):
            return payload
        text, button, message_id = payload.get("text"), payload.get("button"), payload.get("id")
        value = text if button is None else button
        if (text is None) == (button is None) or not isinstance(value, str):
            return _error(400, "bad_message")
        if button is not None and len(button) > MAX_BUTTON:
            return _error(400, "bad_message")
        if not (isinstance(message_id, str) and _MESSAGE_ID.fullmatch(message_id)):
            message_id = None
        stored = {"user": user_id, "text": text, "button": button, "id": message_id,
                  "origin": self.visitors.origin(request) if self.visitors else None}
        key = f"{user_id}:{message_id or secrets.token_urlsafe(12)}"  # a resent message reuses its id
        try:
            replies = await self.inbox.handle_now(CHANNEL, key, stored, _incoming(stored))
        except Busy:
            return web.json_response({"error": render("common/busy.j2")}, status=503,
                                     headers={"Retry-After": "60", **_NO_STORE})
        body = {"session": session_tag(user_id), "replies": [self._reply(user_id, r) for r in replies]}
        return web.json_response(body, headers=_NO_STORE)

    async def get_file(self, request: web.Request) -> web.Response:
        """A document from a reply, to its owner, while its link is fresh."""
        user_id = self.visitor(request)
        document = self._files.get(user_id, request.match_info["token"]) if user_id else None
        if document is None:
            return web.Response(status=404, text=render("web/api_error.j2", reason="file_gone"),
                                content_type="text/plain", charset="utf-8", headers=_NO_STORE)
        ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", document.filename)
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(document.filename)}"
        kind = mimetypes.guess_type(document.filename)[0] or "application/octet-stream"
        return web.Response(body=document.data, content_type=kind,
                            headers={"Content-Disposition": disposition, **_NO_STORE})

    def _reply(self, user_id: str, reply: Reply) -> dict[str, Any]:
        out: dict[str, Any] = {
            "html": safe_html(reply.text),
            "buttons": [{"id": b.id, "label": plain(b.label), "nav": _is_nav(b.id)} for b in reply.buttons],
            "numbered": reply.numbered,
        }
        if reply.document is not None:
            key = self._files.put(user_id, reply.document)
            out["document"] = {"filename": reply.document.filename, "url": f"/api/chat/file/{key}"}
        return out


def read(stored: dict[str, Any]) -> Work:
    """A web message kept in the inbox (taken over after a crash: its replies have no one to go to)."""
    return Work(_incoming(stored))


def _incoming(stored: dict[str, Any]) -> Incoming:
    message_id = stored.get("id")
    return Incoming(CHANNEL, stored["user"], text=stored.get("text"), button=stored.get("button"),
                    message_id=f"w{message_id}" if message_id else None, origin=stored.get("origin"))


def _is_nav(button_id: str) -> bool:
    return button_id.startswith("nav:") or button_id.endswith(("|_back", "|_skip"))


def _error(status: int, reason: str) -> web.Response:
    """A JSON error whose message the page shows as it is (Vietnamese, from content/)."""
    return web.json_response({"error": render("web/api_error.j2", reason=reason)}, status=status,
                             headers=_NO_STORE)


async def _read_json(request: web.Request) -> dict[str, Any] | web.Response:
    """The request's JSON object, read no further than MAX_BODY bytes; an error response otherwise."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error(413, "too_large")
    if request.content_type != "application/json":
        return _error(415, "not_json")
    chunks, size = [], 0
    while chunk := await request.content.read(MAX_BODY + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            return _error(413, "too_large")
    try:
        payload = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "bad_json")
    return payload if isinstance(payload, dict) else _error(400, "bad_message")

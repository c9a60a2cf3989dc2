"""The web mailbox: the "web" sender, and how a visitor's page receives what it sends (issue 18).

What the bot sends a web visitor outside a request (an official's answer, an announcement, a
reminder) is stored in `web_mailbox` for that visitor (db/models/mailbox.py); storing it is the
delivery, and a visitor who no longer exists is RecipientGone. A page that is open receives it at
once over server-sent events (GET /api/chat/events: this process wakes the stream, and every
stream also looks at the database every few seconds, for messages written by another process).
A page without EventSource polls GET /api/chat/mailbox. A page that has shown messages marks them
read (POST /api/chat/mailbox/read); those not read yet carry `unread`, so the next visit marks them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.web import safe_html
from db.base import utcnow
from db.models.core import User
from db.models.mailbox import WebMessage
from flows.engine.delivery import RecipientGone, TransientError
from flows.engine.numbers import ascii_int

if TYPE_CHECKING:
    from bot.channels.web import WebChat

log = logging.getLogger(__name__)

CHANNEL = "web"
LOOK_SECONDS = 10.0  # an open stream reads the database at least this often (another process may have written)
STREAM_SECONDS = 300.0  # then the stream ends and the browser opens a new one by itself
MAX_ITEMS = 50  # messages handed to a page at once
_NO_STORE = {"Cache-Control": "no-store"}


class Mailbox:
    """The "web" channel's sender and the visitor's mailbox endpoints; `online` says whether a page listens."""

    def __init__(self, sessionmaker: async_sessionmaker, chat: WebChat) -> None:
        self.sessionmaker, self.chat = sessionmaker, chat
        self._listening: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._closing = asyncio.Event()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/chat/events", self.events),
            web.get("/api/chat/mailbox", self.poll),
            web.post("/api/chat/mailbox/read", self.mark_read),
        ]

    # ---- the sender ---------------------------------------------------------------------------

    async def send(self, external_id: str, text: str) -> None:
        """Store a message for a web visitor and wake their open pages; RecipientGone if there is no such visitor."""
        try:
            async with self.sessionmaker() as session:
                user_id = await session.scalar(
                    select(User.id).where(User.channel == CHANNEL, User.external_id == external_id))
                if user_id is None:
                    raise RecipientGone(f"no web visitor {external_id[:6]}…")
                session.add(WebMessage(user_id=user_id, text=text))
                await session.commit()
        except SQLAlchemyError as exc:
            raise TransientError(f"web mailbox not written: {exc.__class__.__name__}") from exc
        for event in self._listening.get(external_id, ()):
            event.set()

    def online(self, external_id: str) -> bool:
        """Whether a page of this visitor is open in this process right now."""
        return bool(self._listening.get(external_id))

    async def start(self) -> None:
        """Nothing to connect (part of app.channels so that stop() ends the open streams)."""

    async def stop(self) -> None:
        """End every open stream (the pages reconnect to the next process)."""
        self._closing.set()
        for events in self._listening.values():
            for event in events:
                event.set()

    # ---- what a page reads ---------------------------------------------------------------------

    async def items(self, external_id: str, after: int) -> list[dict[str, Any]]:
        """The visitor's messages after id `after`, oldest first, as the page shows them."""
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(WebMessage).join(User, User.id == WebMessage.user_id)
                .where(User.channel == CHANNEL, User.external_id == external_id, WebMessage.id > after)
                .order_by(WebMessage.id).limit(MAX_ITEMS))
            return [_shown(m) for m in rows.scalars()]

    async def events(self, request: web.Request) -> web.StreamResponse:
        """GET: server-sent events, one `message` per stored message, from ?after= (or Last-Event-ID) on."""
        external_id = self.chat.visitor(request)
        if external_id is None:
            return web.Response(status=204, headers=_NO_STORE)  # EventSource stops trying on 204
        after = _after(request.headers.get("Last-Event-ID") or request.query.get("after"))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no",
                                               **_NO_STORE})
        await response.prepare(request)
        wake = asyncio.Event()
        self._listening[external_id].add(wake)
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_SECONDS
        try:
            await response.write(b"retry: 3000\n\n")
            while not self._closing.is_set() and loop.time() < ends:
                wake.clear()
                for item in await self.items(external_id, after):
                    await response.write(f"id: {item['id']}\nevent: message\ndata: {json.dumps(item)}\n\n".encode())
                    after = item["id"]
                try:
                    await asyncio.wait_for(wake.wait(), LOOK_SECONDS)
                except TimeoutError:
                    await response.write(b": ping\n\n")
        except (ConnectionError, SQLAlchemyError) as exc:  # the page went away, or the database is down
            log.debug("mailbox stream ended: %r", exc)
        finally:
            self._listening[external_id].discard(wake)
            if not self._listening[external_id]:
                del self._listening[external_id]
        return response

    async def poll(self, request: web.Request) -> web.Response:
        """GET: the messages after ?after= as JSON (pages without server-sent events)."""
        external_id = self.chat.visitor(request)
        items = await self.items(external_id, _after(request.query.get("after"))) if external_id else []
        return web.json_response({"items": items}, headers=_NO_STORE)

    async def mark_read(self, request: web.Request) -> web.Response:
        """POST {"upto": id}: the visitor's page has shown every message up to this id."""
        external_id = self.chat.visitor(request)
        try:
            payload = await request.json()
        except (ValueError, UnicodeDecodeError):
            payload = None
        upto = payload.get("upto") if isinstance(payload, dict) else None
        if external_id is None or not isinstance(upto, int) or isinstance(upto, bool) or upto < 1:
            return web.json_response({"read": 0}, status=400, headers=_NO_STORE)
        async with self.sessionmaker() as session:
            mine = select(User.id).where(User.channel == CHANNEL, User.external_id == external_id).scalar_subquery()
            result = await session.execute(
                update(WebMessage).where(WebMessage.user_id == mine, WebMessage.id <= upto,
                                         WebMessage.read_at.is_(None)).values(read_at=utcnow()))
            await session.commit()
        return web.json_response({"read": result.rowcount or 0}, headers=_NO_STORE)


def _shown(message: WebMessage) -> dict[str, Any]:
    at = message.created_at if message.created_at.tzinfo else message.created_at.replace(tzinfo=dt.UTC)
    return {"id": message.id, "html": safe_html(message.text), "at": at.isoformat(),
            "unread": message.read_at is None}


def _after(value: str | None) -> int:
    return ascii_int(value) or 0

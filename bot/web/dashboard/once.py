"""Dashboard actions that happen once: every form that changes something carries a one-time key.

The page that shows the form puts a fresh key in it (`once=new_key()` for the template, and
`<input type="hidden" name="once" value="{{ once }}">` in the form). `@once_action` wraps the POST handler: it claims the key in the action's own
transaction before the handler runs, so a double click or a resent form waits for the first request
and is then sent to the first one's result (303) instead of acting again, on SQLite and PostgreSQL
alike. A handler returns where to go (a URL: the action is committed with its key) or a response (a
refusal or a form to correct: nothing is kept, and the same key may be sent again).

    @once_action
    async def send(request, session, viewer) -> str | web.StreamResponse:
        ...
        return f"/quan-ly/thong-bao/{announcement.id}"
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.web import ActionKey

from .auth import Viewer
from .views import error_page, official_page

FIELD = "once"
KEEP = dt.timedelta(days=2)  # a form older than this may be sent once more
_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")

Action = Callable[[web.Request, AsyncSession, Viewer], Awaitable[str | web.StreamResponse]]


def new_key() -> str:
    """A fresh one-time key for a form."""
    return secrets.token_urlsafe(24)


def _see(url: str) -> web.Response:
    return web.Response(status=303, headers={"Location": url})


async def _first_result(session: AsyncSession, key: str, viewer: Viewer) -> web.StreamResponse:
    """Where the first request with this key went (another official's key is refused)."""
    done = await session.get(ActionKey, key)
    if done is None or done.user_id != viewer.user_id or not done.result_url:
        return error_page(409, "repeated")
    return _see(done.result_url)


def once_action(handler: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a POST handler that changes something so that one form does it at most once."""

    @official_page
    @functools.wraps(handler)
    async def wrapped(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
        key = (await request.post()).get(FIELD)
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            return error_page(400, "stale_form")
        await session.execute(delete(ActionKey).where(ActionKey.created_at < utcnow() - KEEP))
        claim = ActionKey(key=key, user_id=viewer.user_id, result_url="")
        session.add(claim)
        try:
            await session.flush()  # waits for a first request with this key still at work
        except IntegrityError:  # a repeat: the first request with this key has committed
            await session.rollback()
            return await _first_result(session, key, viewer)
        outcome = await handler(request, session, viewer)
        if not isinstance(outcome, str):
            await session.rollback()
            return outcome
        claim.result_url = outcome
        try:
            await session.commit()
        except IntegrityError:  # SQLite may only see the repeat at commit
            await session.rollback()
            return await _first_result(session, key, viewer)
        return _see(outcome)

    return wrapped


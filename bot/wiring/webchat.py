"""Web chat: the chat page at /, its static files at /static/, and the chat API at /api/chat.

Always on, with no token: `htxbot run` serves it on LISTEN_HOST:LISTEN_PORT. The page is
content/templates/web/chat.j2 rendered by the server; bot/web/static/ holds its CSS and JS
(written here, no CDN), versioned by a hash of their contents so browsers never keep old ones.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.web import WebChat, session_tag
from bot.wiring.inbox import shared_inbox
from flows.engine.content import render

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
DEFAULT_SECRET = "doi-khoa-nay-khi-trien-khai"
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def asset_version() -> str:
    """A short hash of the static files: part of their URLs, so a new release is fetched anew."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def install(app: App) -> None:
    """Add the chat page, its static files and the chat API to the app's routes."""
    secret = app.settings.web_secret.get_secret_value()
    if secret == DEFAULT_SECRET:
        log.warning("WEB_SECRET is the default value: set your own before serving the web chat publicly")
    chat = WebChat(app.engine, secret, shared_inbox(app))
    version = asset_version()
    max_chars = app.settings.max_message_chars

    async def page(request: web.Request) -> web.Response:
        user_id = chat.identify(request)
        body = render("web/chat.j2", asset_version=version, max_chars=max_chars, session=session_tag(user_id))
        response = web.Response(text=body, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS)
        chat.remember(request, response, user_id)
        return response

    app.routes.extend([web.get("/", page), web.static("/static", STATIC_DIR), *chat.routes()])


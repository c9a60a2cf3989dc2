"""Web chat: the chat page at /, its static files at /static/, the chat API at /api/chat, and the
web mailbox (the "web" sender: answers, announcements and reminders for web visitors).

Always on, with no token: `htxbot run` serves it on LISTEN_HOST:LISTEN_PORT. The page is
content/templates/web/chat.j2 rendered by the server; bot/web/static/ holds its CSS and JS
(written here, no CDN), versioned by a hash of their contents so browsers never keep old ones
(bot/web/assets.py). Messages sent outside a request wait in the mailbox (bot/web/mailbox.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.web import CHANNEL, WebChat, session_tag
from bot.settings import KNOWN_SECRETS
from bot.web.assets import shared as shared_assets
from bot.web.mailbox import Mailbox
from bot.web.visitors import Visitors
from bot.wiring.inbox import shared_inbox
from flows.engine.content import render

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def install(app: App) -> None:
    """Add the chat page, its static files, the chat API and the web mailbox (sender "web")."""
    settings = app.settings
    secret = settings.web_secret.get_secret_value()
    if secret in KNOWN_SECRETS:  # allowed on loopback only (bot/settings.py)
        log.warning("WEB_SECRET is a public value: leave it empty or set your own before serving publicly")
    visitors = Visitors(secret, settings.web_new_visitors_per_address, settings.web_new_visitors_per_hour)
    chat = WebChat(app.engine, secret, shared_inbox(app), visitors)
    mailbox = Mailbox(app.sessionmaker, chat)
    app.senders[CHANNEL] = mailbox
    app.channels["web_mailbox"] = mailbox  # stop() ends the open event streams
    assets = shared_assets()
    max_chars = app.settings.max_message_chars

    async def page(request: web.Request) -> web.Response:
        user_id = chat.identify(request)  # None: too many new visitors; the API will say so
        body = render("web/chat.j2", css=assets.url("chat.css").lstrip("/"), js=assets.url("chat.js").lstrip("/"),
                      icon=assets.url("favicon.svg").lstrip("/"), max_chars=max_chars,
                      session=session_tag(user_id) if user_id else "")
        response = web.Response(text=body, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS)
        if user_id:
            chat.remember(request, response, user_id)
        return response

    app.routes.extend([web.get("/", page), *assets.routes(), *chat.routes(), *mailbox.routes()])


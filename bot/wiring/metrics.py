"""/metrics and what feeds it (bot/metrics.py): the engine's observer, counted senders, database
error counts, the event-loop watch, and with LOG_FORMAT=json one log line per message."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import event

from bot.metrics import CountedSender, allowed, new_metrics, watch_loop
from bot.wiring.inbox import shared_inbox

if TYPE_CHECKING:
    from bot.parts import App


def install(app: App) -> None:
    """Add /metrics, the engine's observer, counted senders, database error counts and the loop watch.
    Installed last: it wraps the senders the other parts added."""
    metrics = new_metrics(app)
    app.engine.observers.append(metrics.observe)
    if app.settings.log_format == "json":
        from bot.logs import MessageLog

        app.engine.observers.append(MessageLog(app.settings.web_secret.get_secret_value()))
    for channel, sender in list(app.senders.items()):
        app.senders[channel] = CountedSender(sender, channel, metrics.deliveries)
    count_errors = lambda _context: metrics.db_errors.inc()  # noqa: E731
    event.listen(app.db.sync_engine, "handle_error", count_errors)
    writer_engine = getattr(app.engine.store.writer, "_sync_engine", None)
    if writer_engine is not None:
        event.listen(writer_engine, "handle_error", count_errors)
    metrics._held = weakref.ref(shared_inbox(app))  # weak: the metrics must not keep the app alive
    app.jobs.append(watch_loop(metrics))
    token = app.settings.metrics_token.get_secret_value() if app.settings.metrics_token else None

    async def serve(request: web.Request) -> web.Response:
        if not allowed(request, token):
            return web.Response(status=403, text="forbidden: /metrics answers on loopback or with METRICS_TOKEN\n")
        await metrics.refresh(app)
        return web.Response(body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.routes.append(web.get("/metrics", serve))

"""Telegram: polling or webhook when TELEGRAM_BOT_TOKEN is set; its sender serves the queues."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.parts import App


def install(app: App) -> None:
    """Add the Telegram channel, its webhook route (webhook mode) and its sender."""
    settings = app.settings
    if not settings.telegram_bot_token:
        return
    from bot.channels.telegram import TelegramChannel
    from bot.wiring.inbox import shared_inbox

    channel = TelegramChannel(
        app.engine,
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None,
        inbox=shared_inbox(app),
    )
    app.channels["telegram"] = channel
    app.senders["telegram"] = channel
    app.routes.extend(channel.routes())

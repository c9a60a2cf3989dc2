"""Zalo: the Bot API channel when ZALO_BOT_TOKEN is set, an Official Account when ZALO_OA_APP_ID is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.parts import App


def _secret(value) -> str | None:
    return value.get_secret_value() if value is not None else None


def install(app: App) -> None:
    """Add the channels "zalo" and "zalo_oa" that are configured, their senders and webhook routes."""
    from bot.wiring.inbox import shared_inbox

    s = app.settings
    if s.zalo_bot_token:
        from bot.channels.zalo import ZaloBotChannel

        bot = ZaloBotChannel(app.engine, s.zalo_bot_token.get_secret_value(), base_url=s.zalo_api_base_url,
                             webhook_url=s.zalo_webhook_url, webhook_secret=_secret(s.zalo_webhook_secret),
                             poll_timeout=s.zalo_poll_timeout, poll_interval=s.zalo_poll_interval,
                             inbox=shared_inbox(app))
        app.channels["zalo"] = bot
        app.senders["zalo"] = bot
        app.routes.extend(bot.routes())
    if s.zalo_oa_app_id:  # the settings refuse to load without the OA's secret key, app secret and refresh token
        from bot.channels.zalo_oa import OARules, OATokens, ZaloOAChannel

        tokens = OATokens(app.sessionmaker, s.zalo_oa_app_id, s.zalo_oa_app_secret.get_secret_value(),
                          s.zalo_oa_oauth_base_url, _secret(s.zalo_oa_access_token) or "",
                          s.zalo_oa_refresh_token.get_secret_value())
        rules = OARules(app.sessionmaker, s.zalo_oa_app_id, s.zalo_oa_free_replies, s.zalo_oa_reply_window_hours,
                        s.zalo_oa_proactive_per_month)
        oa = ZaloOAChannel(app.engine, tokens, rules, secret_key=s.zalo_oa_secret_key.get_secret_value(),
                           api_base_url=s.zalo_oa_api_base_url, max_age=s.zalo_oa_event_max_age_seconds,
                           inbox=shared_inbox(app))
        app.channels["zalo_oa"] = oa
        app.senders["zalo_oa"] = oa
        app.routes.extend(oa.routes())

"""Settings read once from the environment or .env (pydantic-settings); bad values stop start-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


def _message(key: str) -> str:
    """A settings error message from content/cli.yaml (operators read it)."""
    from flows.engine.content import load_yaml

    return load_yaml("cli.yaml")[key]


class Settings(BaseSettings):
    """Every setting of the bot; see the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=f"sqlite+aiosqlite:///{ROOT / 'var' / 'htxbot.db'}")
    log_level: str = "INFO"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None  # public HTTPS URL; set it to use webhook mode
    telegram_webhook_secret: SecretStr | None = None
    telegram_rate_per_second: float = 30.0
    telegram_rate_per_chat: float = 1.0
    telegram_paid_broadcast: bool = False

    # --- Zalo: the Bot API (bot/channels/zalo.py) and an Official Account (bot/channels/zalo_oa.py) ---
    zalo_bot_token: SecretStr | None = None  # "<bot_id>:<secret>"
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None  # public HTTPS URL of /zalo/webhook; set it to use webhook mode
    zalo_webhook_secret: SecretStr | None = None  # 8 to 256 characters (setWebhook's secret_token)
    zalo_poll_timeout: int = Field(default=30, ge=1, le=120)  # seconds a getUpdates call waits
    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: SecretStr | None = None  # the OA secret key: signs webhook events
    zalo_oa_app_secret: SecretStr | None = None  # the app's secret for token refresh; default: zalo_oa_secret_key
    zalo_oa_access_token: SecretStr | None = None  # first tokens; later ones live in the database
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_api_base_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_oa_free_replies: int = Field(default=8, ge=0)  # free messages within the reply window
    zalo_oa_reply_window_hours: int = Field(default=48, ge=0)  # after the user's last message
    zalo_oa_proactive_per_month: int = Field(default=0, ge=0)  # messages beyond the window (OA package)

    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8080, ge=1, le=65535)
    web_secret: SecretStr = SecretStr("doi-khoa-nay-khi-trien-khai")
    timezone: str = "Asia/Ho_Chi_Minh"
    max_message_chars: int = Field(default=4000, ge=100, le=100_000)
    # the day conversations run as of (YYYY-MM-DD: training, demonstrations, a rule before it starts); empty: today
    as_of_date: dt.date | None = None

    # --- Officials' web dashboard (bot/web/dashboard/): /dangnhap sends a one-time link to web_base_url ---
    web_base_url: str = "http://127.0.0.1:8080"  # public address of this app as officials' browsers reach it
    dashboard_link_minutes: int = Field(default=15, ge=1, le=24 * 60)  # a sign-in link expires after this
    dashboard_session_hours: int = Field(default=8, ge=1, le=24 * 30)  # a signed-in browser expires after this

    # --- Monthly-update reminders (bot/wiring/reminders.py): once a day at reminder_hour (timezone) ---
    reminders_enabled: bool = True
    reminder_hour: int = Field(default=8, ge=0, le=23)  # local hour from which the day's reminders go out
    reminder_first_day: int = Field(default=5, ge=1, le=28)  # day of the month of the first reminder
    reminder_second_after_days: int = Field(default=5, ge=1, le=20)  # the second one, days after the first

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(_message("setting_database_url"))
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 8 <= len(value.get_secret_value()) <= 256:
            raise ValueError(_message("setting_secret_length"))
        return value

    @field_validator("as_of_date", mode="before")
    @classmethod
    def _as_of_day(cls, value: object) -> object:
        if value is None or isinstance(value, dt.date) or (isinstance(value, str) and not value.strip()):
            return value or None
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(_message("setting_as_of_date")) from None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(_message("setting_log_level"))
        return value

    def sqlite_path(self) -> Path | None:
        """The SQLite file, if the database is SQLite (its folder is created on start-up)."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix):])
        return None

"""Settings read once from the environment or .env (pydantic-settings); bad values stop start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


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

    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_secret: SecretStr | None = None

    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8080, ge=1, le=65535)
    web_secret: SecretStr = SecretStr("doi-khoa-nay-khi-trien-khai")
    timezone: str = "Asia/Ho_Chi_Minh"
    max_message_chars: int = Field(default=4000, ge=100, le=100_000)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("phải bắt đầu bằng sqlite+aiosqlite:// hoặc postgresql+asyncpg://")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("một trong DEBUG, INFO, WARNING, ERROR")
        return value

    def sqlite_path(self) -> Path | None:
        """The SQLite file, if the database is SQLite (its folder is created on start-up)."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix):])
        return None

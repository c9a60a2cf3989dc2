"""Settings read once from the environment or .env (pydantic-settings); bad values stop start-up."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
KNOWN_SECRETS = {"doi-khoa-nay-khi-trien-khai", "changeme", "secret"}  # public values: refused beyond loopback


def _message(key: str) -> str:
    """A settings error message from content/cli.yaml (operators read it)."""
    from flows.engine.content import load_yaml

    return load_yaml("cli.yaml")[key]


class Settings(BaseSettings):
    """Every setting of the bot; see the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=f"sqlite+aiosqlite:///{ROOT / 'var' / 'htxbot.db'}")
    database_connect_timeout: float = Field(default=5.0, gt=0, le=60)  # seconds to open a PostgreSQL connection
    database_statement_timeout: float = Field(default=10.0, gt=0, le=600)  # seconds a statement (or an SQLite lock wait) may take
    inbox_lease_seconds: float = Field(default=30.0, ge=1, le=3600)  # an update held this long by a dead process is taken over
    request_body_timeout: float = Field(default=10.0, gt=0, le=300)  # seconds a client has to send a request body
    log_level: str = "INFO"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None  # public HTTPS URL; set it to use webhook mode
    telegram_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)  # required with the URL
    telegram_rate_per_second: float = 30.0
    telegram_rate_per_chat: float = 1.0
    telegram_paid_broadcast: bool = False

    # --- Zalo: the Bot API (bot/channels/zalo.py) and an Official Account (bot/channels/zalo_oa.py) ---
    zalo_bot_token: SecretStr | None = None  # "<bot_id>:<secret>"
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None  # public HTTPS URL of /zalo/webhook; set it to use webhook mode
    zalo_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)  # 8 to 256 characters; required with the URL
    zalo_poll_timeout: int = Field(default=30, ge=1, le=120)  # seconds a getUpdates call waits
    zalo_poll_interval: float = Field(default=1.0, ge=0, le=60)  # least seconds between getUpdates calls
    zalo_oa_app_id: str | None = None  # set it to turn the OA on; then the next three are required
    zalo_oa_secret_key: SecretStr | None = Field(default=None, validate_default=True)  # OA secret key: signs webhooks
    zalo_oa_app_secret: SecretStr | None = Field(default=None, validate_default=True)  # app's secret: token refresh
    zalo_oa_access_token: SecretStr | None = None  # first tokens; later ones live in the database
    zalo_oa_refresh_token: SecretStr | None = Field(default=None, validate_default=True)
    zalo_oa_event_max_age_seconds: int = Field(default=300, ge=10)  # older (or further ahead) events are dropped
    zalo_oa_api_base_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_oa_free_replies: int = Field(default=8, ge=0)  # free messages within the reply window
    zalo_oa_reply_window_hours: int = Field(default=48, ge=0)  # after the user's last message
    zalo_oa_proactive_per_month: int = Field(default=0, ge=0)  # messages beyond the window (OA package)

    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8080, ge=1, le=65535)
    processes: int = Field(default=1, ge=1, le=64)  # `htxbot run` processes sharing the database (then WEB_SECRET is required)
    metrics_token: SecretStr | None = None  # /metrics answers beyond loopback only with "Authorization: Bearer <token>"
    log_format: str = "text"  # "json": one JSON object per line, and one line per message handled
    web_secret_file: Path = ROOT / "var" / "web_secret"  # where a secret made at the first start is kept (0600)
    web_secret: SecretStr = Field(default=SecretStr(""), validate_default=True)  # empty: the one in web_secret_file
    trusted_proxies: str = ""  # comma-separated addresses/networks of proxies whose X-Forwarded-Proto/-For count
    web_new_visitors_per_address: int = Field(default=30, ge=1)  # new web chat visitors per client address per hour
    web_new_visitors_per_hour: int = Field(default=1000, ge=1)  # new web chat visitors per hour, all together
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

    # --- Personal data (bot/wiring/retention.py): conversation logs older than this are purged daily ---
    conversation_log_months: int = Field(default=12, ge=1, le=120)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(_message("setting_database_url"))
        return value

    @field_validator("telegram_webhook_secret", "zalo_webhook_secret")
    @classmethod
    def _webhook_has_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        url = info.data.get(str(info.field_name).replace("_secret", "_url"))
        if url and (value is None or not value.get_secret_value()):
            raise ValueError(_message("setting_webhook_secret"))
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 8 <= len(value.get_secret_value()) <= 256:
            raise ValueError(_message("setting_secret_length"))
        return value

    @field_validator("zalo_oa_secret_key", "zalo_oa_app_secret", "zalo_oa_refresh_token")
    @classmethod
    def _zalo_oa_complete(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("zalo_oa_app_id") and (value is None or not value.get_secret_value()):
            raise ValueError(_message("setting_zalo_oa_app_secret" if info.field_name == "zalo_oa_app_secret"
                                      else "setting_zalo_oa_required"))
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

    @field_validator("web_secret")
    @classmethod
    def _web_secret(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if not value.get_secret_value().strip():
            if info.data.get("processes", 1) > 1:  # each process would make and sign with its own
                raise ValueError(_message("setting_web_secret_processes"))
            return SecretStr(_kept_secret(info.data.get("web_secret_file") or ROOT / "var" / "web_secret"))
        if value.get_secret_value() in KNOWN_SECRETS and not is_loopback(info.data.get("listen_host", "")):
            raise ValueError(_message("setting_web_secret_known"))
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        try:
            [ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip()]
        except ValueError:
            raise ValueError(_message("setting_trusted_proxies")) from None
        return value

    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The trusted proxies' networks (a single address is a network of one)."""
        return [ipaddress.ip_network(item.strip(), strict=False) for item in self.trusted_proxies.split(",")
                if item.strip()]

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"text", "json"}:
            raise ValueError(_message("setting_log_format"))
        return value

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


def is_loopback(host: str) -> bool:
    """Whether a listening address only accepts connections from this machine."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _kept_secret(path: Path) -> str:
    """The secret kept in a file (mode 0600), made at random the first time; two processes starting
    together get the same one (the file appears whole or not at all)."""
    try:
        if path.exists():
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            kept = path.read_text(encoding="utf-8").strip()
            if kept:
                return kept
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(draft, path)  # fails when another process was first: then its secret is used
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        kept = path.read_text(encoding="utf-8").strip()
        if not kept:
            raise OSError(f"{path} is empty")
        return kept
    except OSError as exc:
        raise ValueError(_message("setting_web_secret_file").format(path=path, error=exc.strerror or exc)) from None

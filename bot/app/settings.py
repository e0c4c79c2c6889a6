"""Settings read from the environment and an optional ``.env`` file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.core.env import positive_int
from bot.core.errors import ConfigError
from bot.services.reminders import parse_rules
from bot.services.working_hours import parse_days, parse_holidays, parse_hours
from handlers.whatsapp.settings import WhatsAppSettings

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_EMAIL_RE = re.compile(r"^[^@\s:<>,;\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class WebhookSettings:
    """Where PTB's webhook server listens and what Telegram is told."""

    url: str | None
    secret: str | None = field(repr=False)
    listen: str
    port: int
    path: str


@dataclass(frozen=True)
class Settings:
    """Validated configuration; the token is kept out of ``repr``."""

    token: str = field(repr=False)
    api_base_url: str
    api_base_file_url: str
    database: Path
    staff_ids: frozenset[int]
    timezone: ZoneInfo
    webhook: WebhookSettings
    log_level: str = "INFO"
    max_active_bookings: int = 1
    offer_hold: timedelta = timedelta(hours=12)
    reminders: str = "day-before@08:00,2h"
    feedback_delay: timedelta = timedelta(hours=1)
    whatsapp: WhatsAppSettings | None = None
    calendar_organizer: str | None = None  # the programme's e-mail in calendar files
    # Tanya Dinas: when people answer questions, and in how many working hours
    work_days: str = "mon-fri"
    work_hours: str = "08:00-15:00"
    holidays: str = ""
    answer_hours: int = 4

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for the log redactor."""
        wa = self.whatsapp
        found = (self.token, *((wa.access_token, wa.app_secret, wa.verify_token) if wa else ()))
        return tuple(value for value in found if value)


def load_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """Merge an optional ``.env`` file under the process environment (the environment wins)."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def load_settings(env: Mapping[str, str], *, require_token: bool = True) -> Settings:
    """Validate ``env`` into :class:`Settings`; raise :class:`ConfigError` on the first problem."""
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    whatsapp = WhatsAppSettings.from_env(env)  # None, or every required variable is set
    if require_token and not token and whatsapp is None:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN",
            "is not set and WhatsApp is not configured: set TELEGRAM_BOT_TOKEN (from "
            "@BotFather), or WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, "
            "WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN, or both",
        )
    if token and not _TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN", "does not look like a bot token (123456:ABC…)")
    base_url = _url(env, "TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL)
    return Settings(
        token=token,
        api_base_url=base_url,
        api_base_file_url=_url(env, "TELEGRAM_API_BASE_FILE_URL", _file_url_for(base_url)),
        database=Path(env.get("DODOLAN_DATABASE", "").strip() or "./dodolan.sqlite3"),
        staff_ids=_staff_ids(env.get("DODOLAN_STAFF_IDS", "")),
        timezone=_timezone(env.get("DODOLAN_TIMEZONE", "").strip() or "Asia/Jakarta"),
        webhook=_webhook(env),
        log_level=_log_level(env.get("DODOLAN_LOG_LEVEL", "").strip() or "INFO"),
        max_active_bookings=positive_int(env, "DODOLAN_MAX_ACTIVE_BOOKINGS", 1),
        offer_hold=timedelta(hours=positive_int(env, "DODOLAN_OFFER_HOLD_HOURS", 12)),
        reminders=_reminders(env.get("DODOLAN_REMINDERS", "").strip() or "day-before@08:00,2h"),
        feedback_delay=timedelta(minutes=positive_int(env, "DODOLAN_FEEDBACK_DELAY_MINUTES", 60)),
        whatsapp=whatsapp,
        calendar_organizer=_email(env, "DODOLAN_CALENDAR_ORGANIZER"),
        **_working_hours(env),
    )


def _working_hours(env: Mapping[str, str]) -> dict[str, Any]:
    """The Tanya Dinas working-hours settings, checked (each error names its variable)."""
    values: dict[str, Any] = {
        "work_days": env.get("DODOLAN_WORK_DAYS", "").strip() or "mon-fri",
        "work_hours": env.get("DODOLAN_WORK_HOURS", "").strip() or "08:00-15:00",
        "holidays": env.get("DODOLAN_HOLIDAYS", "").strip(),
        "answer_hours": positive_int(env, "DODOLAN_ANSWER_HOURS", 4),
    }
    parse_days(values["work_days"])
    parse_hours(values["work_hours"])
    parse_holidays(values["holidays"])
    return values


def _email(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip().removeprefix("mailto:")
    if raw and not _EMAIL_RE.match(raw):
        raise ConfigError(name, "must be an e-mail address (name@example.org)")
    return raw or None


def _reminders(raw: str) -> str:
    parse_rules(raw)  # raises ConfigError naming DODOLAN_REMINDERS
    return raw


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(name, "must be an http:// or https:// URL")
    return value


def _file_url_for(base_url: str) -> str:
    """Derive the file-download URL the way Telegram lays it out (``…/bot`` → ``…/file/bot``)."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url.rstrip("/") + "/file/bot"


def _staff_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise ConfigError(
                "DODOLAN_STAFF_IDS", f"must be comma-separated numeric user ids, got {part!r}"
            )
        ids.add(int(part))
    return frozenset(ids)


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("DODOLAN_TIMEZONE", f"is not a known time zone: {name!r}") from None


def _log_level(level: str) -> str:
    if level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("DODOLAN_LOG_LEVEL", "must be DEBUG, INFO, WARNING or ERROR")
    return level.upper()


def _webhook(env: Mapping[str, str]) -> WebhookSettings:
    secret = env.get("DODOLAN_WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not _SECRET_RE.match(secret):
        raise ConfigError("DODOLAN_WEBHOOK_SECRET", "may only hold A-Z, a-z, 0-9, _ and - (1-256)")
    url = env.get("DODOLAN_WEBHOOK_URL", "").strip() or None
    if url is not None and not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError("DODOLAN_WEBHOOK_URL", "must be an http:// or https:// URL")
    port_raw = env.get("DODOLAN_WEBHOOK_PORT", "").strip() or "8443"
    if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
        raise ConfigError("DODOLAN_WEBHOOK_PORT", "must be a port number between 1 and 65535")
    return WebhookSettings(
        url=url,
        secret=secret,
        listen=env.get("DODOLAN_WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        port=int(port_raw),
        path=env.get("DODOLAN_WEBHOOK_PATH", "").strip().strip("/") or "telegram",
    )


def require_webhook(settings: Settings) -> WebhookSettings:
    """Refuse webhook mode unless a secret and a public URL are configured."""
    if settings.webhook.secret is None:
        raise ConfigError("DODOLAN_WEBHOOK_SECRET", "is required for webhook mode")
    if settings.webhook.url is None:
        raise ConfigError("DODOLAN_WEBHOOK_URL", "is required for webhook mode")
    return settings.webhook

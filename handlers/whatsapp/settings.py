"""WhatsApp settings read from the environment; the token and secrets never appear in repr."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.env import positive_int
from bot.core.errors import ConfigError

# What a deployment needs: the token and the number to send, the app secret and verify token
# for the webhook, and the business account, whose template statuses the bot reads at start-up
# (without them nothing can reach an owner outside the 24-hour window).
CORE_VARIABLES = (
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_BUSINESS_ACCOUNT_ID",
)
DEFAULT_API_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
DEFAULT_MPS = 80  # Meta's default throughput per business phone number
DEFAULT_TIER = 250  # unique users per moving 24 h outside the window, for a new portfolio
_VERSION_RE = re.compile(r"^v\d{2,3}\.\d$")
_ID_RE = re.compile(r"^\d{1,32}$")
_PATH_RE = re.compile(r"^[A-Za-z0-9_\-/]{1,100}$")


@dataclass(frozen=True)
class WhatsAppSettings:
    """Validated WhatsApp Cloud API configuration."""

    access_token: str = field(repr=False)
    phone_number_id: str
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    api_version: str = DEFAULT_API_VERSION
    business_account_id: str | None = None  # from_env requires it; tests may leave it out
    listen: str = "127.0.0.1"
    port: int = 8444
    path: str = "whatsapp"
    messages_per_second: int = DEFAULT_MPS
    tier: int = DEFAULT_TIER
    display_number: str | None = None  # the business number owners chat with, digits only

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WhatsAppSettings | None:
        """Read the settings; None when no core variable is set (WhatsApp is off)."""
        core = {name: env.get(name, "").strip() for name in CORE_VARIABLES}
        missing = [name for name, value in core.items() if not value]
        if len(missing) == len(CORE_VARIABLES):
            return None
        if missing:
            raise ConfigError(
                ", ".join(missing),
                f"must be set too: WhatsApp needs all {len(CORE_VARIABLES)} core variables",
            )
        return cls(
            access_token=core["WHATSAPP_ACCESS_TOKEN"],
            phone_number_id=_numeric_id(env, "WHATSAPP_PHONE_NUMBER_ID"),
            app_secret=core["WHATSAPP_APP_SECRET"],
            verify_token=core["WHATSAPP_VERIFY_TOKEN"],
            api_base_url=_url(env, "WHATSAPP_API_BASE_URL", DEFAULT_API_BASE_URL),
            api_version=_version(env),
            business_account_id=_numeric_id(env, "WHATSAPP_BUSINESS_ACCOUNT_ID"),
            listen=env.get("DODOLAN_WHATSAPP_LISTEN", "").strip() or "127.0.0.1",
            port=_port(env),
            path=_path(env),
            messages_per_second=positive_int(env, "DODOLAN_WHATSAPP_MPS", DEFAULT_MPS),
            tier=positive_int(env, "DODOLAN_WHATSAPP_TIER", DEFAULT_TIER),
            display_number=_display_number(env),
        )

    @property
    def graph_url(self) -> str:
        """The Graph API root including the version, e.g. ``https://graph.facebook.com/v23.0``."""
        return f"{self.api_base_url.rstrip('/')}/{self.api_version}"


def _numeric_id(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not _ID_RE.match(value):
        raise ConfigError(name, "must be the numeric id shown in Meta's App Dashboard")
    return value


def _display_number(env: Mapping[str, str]) -> str | None:
    """WHATSAPP_DISPLAY_NUMBER as digits ("+62 811-3000-0000" → "6281130000000")."""
    raw = env.get("WHATSAPP_DISPLAY_NUMBER", "").strip()
    if not raw:
        return None
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not 8 <= len(digits) <= 15 or set(raw) - set("+0123456789 -"):
        raise ConfigError(
            "WHATSAPP_DISPLAY_NUMBER", "must be a phone number like +62 811 3000 0000"
        )
    return digits


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(name, "must be an http:// or https:// URL")
    return value.rstrip("/")


def _version(env: Mapping[str, str]) -> str:
    value = env.get("WHATSAPP_API_VERSION", "").strip() or DEFAULT_API_VERSION
    if not _VERSION_RE.match(value):
        raise ConfigError("WHATSAPP_API_VERSION", "must look like v23.0")
    return value


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("DODOLAN_WHATSAPP_PORT", "").strip() or "8444"
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError("DODOLAN_WHATSAPP_PORT", "must be a port number between 1 and 65535")
    return int(raw)


def _path(env: Mapping[str, str]) -> str:
    value = env.get("DODOLAN_WHATSAPP_PATH", "").strip().strip("/") or "whatsapp"
    if not _PATH_RE.match(value):
        raise ConfigError("DODOLAN_WHATSAPP_PATH", "may only hold A-Z, a-z, 0-9, _, - and /")
    return value

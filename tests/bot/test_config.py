"""Settings: every variable validated, one clear message naming it, the token never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.settings import DEFAULT_API_BASE_URL, load_environment, load_settings, require_webhook
from bot.core.errors import ConfigError

TOKEN = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOpp_-"


def test_defaults() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_base_url == DEFAULT_API_BASE_URL
    assert settings.api_base_file_url == "https://api.telegram.org/file/bot"
    assert settings.database == Path("./dodolan.sqlite3")
    assert settings.staff_ids == frozenset()
    assert str(settings.timezone) == "Asia/Jakarta"
    assert settings.webhook.secret is None and settings.webhook.port == 8443


def test_all_variables_read() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "DODOLAN_DATABASE": "/var/lib/dodolan/db.sqlite3",
            "DODOLAN_STAFF_IDS": " 11, 22 ,33",
            "DODOLAN_TIMEZONE": "Asia/Makassar",
            "DODOLAN_WEBHOOK_URL": "https://bot.example.id",
            "DODOLAN_WEBHOOK_SECRET": "s3cret_value",
            "DODOLAN_WEBHOOK_LISTEN": "0.0.0.0",
            "DODOLAN_WEBHOOK_PORT": "8080",
        }
    )
    assert settings.api_base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.staff_ids == {11, 22, 33}
    assert str(settings.timezone) == "Asia/Makassar"
    assert require_webhook(settings).port == 8080


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"DODOLAN_STAFF_IDS": "12,abc"}, "DODOLAN_STAFF_IDS"),
        ({"DODOLAN_TIMEZONE": "Mars/Olympus"}, "DODOLAN_TIMEZONE"),
        ({"DODOLAN_WEBHOOK_PORT": "99999"}, "DODOLAN_WEBHOOK_PORT"),
        ({"DODOLAN_WEBHOOK_SECRET": "has spaces"}, "DODOLAN_WEBHOOK_SECRET"),
        ({"DODOLAN_WEBHOOK_URL": "bot.example.id"}, "DODOLAN_WEBHOOK_URL"),
        ({"DODOLAN_CALENDAR_ORGANIZER": "+62 811 3000 0000"}, "DODOLAN_CALENDAR_ORGANIZER"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, **env} if variable != "TELEGRAM_BOT_TOKEN" else env
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    assert info.value.variable == variable
    assert str(info.value).startswith(variable)


def test_the_calendar_organizer_is_an_email_and_unset_by_default() -> None:
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).calendar_organizer is None
    for given in ("dodolan@diskopindag.example.go.id", "mailto:dodolan@diskopindag.example.go.id"):
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DODOLAN_CALENDAR_ORGANIZER": given}
        assert load_settings(env).calendar_organizer == "dodolan@diskopindag.example.go.id"


def test_webhook_mode_needs_a_secret_and_url() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DODOLAN_WEBHOOK_URL": "https://x.id"})
    with pytest.raises(ConfigError, match="DODOLAN_WEBHOOK_SECRET"):
        require_webhook(settings)


def test_token_is_not_in_repr() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DODOLAN_WEBHOOK_SECRET": "abc"})
    assert TOKEN not in repr(settings)
    assert "abc" not in repr(settings.webhook)


def test_env_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DODOLAN_STAFF_IDS=1,2\nDODOLAN_TIMEZONE=Asia/Jayapura\n")
    monkeypatch.setenv("DODOLAN_TIMEZONE", "Asia/Jakarta")
    env = load_environment(env_file)
    assert env["DODOLAN_STAFF_IDS"] == "1,2"
    assert env["DODOLAN_TIMEZONE"] == "Asia/Jakarta"

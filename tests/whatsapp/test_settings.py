"""WhatsApp settings: off when unset, a clear error when half set, secrets never shown."""

from __future__ import annotations

import pytest

from bot.core.errors import ConfigError
from handlers.whatsapp.settings import WhatsAppSettings

TOKEN = "EAAGm0PX4ZCpsBAKZAxxTOKENxx"
SECRET = "1222e786b144d0e85b9f365372d93676"
VERIFY = "pilih-kata-rahasia"
CORE = {
    "WHATSAPP_ACCESS_TOKEN": TOKEN,
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_APP_SECRET": SECRET,
    "WHATSAPP_VERIFY_TOKEN": VERIFY,
    "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340398",
}


def test_none_set_means_whatsapp_is_off() -> None:
    assert WhatsAppSettings.from_env({}) is None
    assert WhatsAppSettings.from_env({"WHATSAPP_API_VERSION": "v23.0", "OTHER": "x"}) is None


def test_blank_values_count_as_unset() -> None:
    assert WhatsAppSettings.from_env(dict.fromkeys(CORE, "  ")) is None


@pytest.mark.parametrize("dropped", sorted(CORE))
def test_half_set_names_what_is_missing(dropped: str) -> None:
    env = {k: v for k, v in CORE.items() if k != dropped}
    with pytest.raises(ConfigError) as caught:
        WhatsAppSettings.from_env(env)
    assert caught.value.variable == dropped
    assert dropped in str(caught.value)


def test_several_missing_are_all_named() -> None:
    with pytest.raises(ConfigError) as caught:
        WhatsAppSettings.from_env({"WHATSAPP_ACCESS_TOKEN": TOKEN})
    message = str(caught.value)
    assert "WHATSAPP_PHONE_NUMBER_ID" in message and "WHATSAPP_VERIFY_TOKEN" in message
    assert TOKEN not in message


def test_defaults() -> None:
    settings = WhatsAppSettings.from_env(CORE)
    assert settings is not None
    assert settings.api_base_url == "https://graph.facebook.com"
    assert settings.api_version == "v23.0"
    assert settings.graph_url == "https://graph.facebook.com/v23.0"
    assert settings.business_account_id == "102290129340398"
    assert (settings.listen, settings.port, settings.path) == ("127.0.0.1", 8444, "whatsapp")
    assert (settings.messages_per_second, settings.tier) == (80, 250)


def test_everything_read() -> None:
    settings = WhatsAppSettings.from_env(
        {
            **CORE,
            "WHATSAPP_API_BASE_URL": "http://127.0.0.1:9090/",
            "WHATSAPP_API_VERSION": "v25.0",
            "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340399",
            "DODOLAN_WHATSAPP_LISTEN": "0.0.0.0",
            "DODOLAN_WHATSAPP_PORT": "9444",
            "DODOLAN_WHATSAPP_PATH": "/hooks/wa/",
            "DODOLAN_WHATSAPP_MPS": "20",
            "DODOLAN_WHATSAPP_TIER": "2000",
        }
    )
    assert settings is not None
    assert settings.graph_url == "http://127.0.0.1:9090/v25.0"
    assert settings.business_account_id == "102290129340399"
    assert (settings.listen, settings.port, settings.path) == ("0.0.0.0", 9444, "hooks/wa")
    assert (settings.messages_per_second, settings.tier) == (20, 2000)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WHATSAPP_PHONE_NUMBER_ID", "+62 812"),
        ("WHATSAPP_API_BASE_URL", "graph.facebook.com"),
        ("WHATSAPP_API_VERSION", "23"),
        ("WHATSAPP_BUSINESS_ACCOUNT_ID", "waba"),
        ("DODOLAN_WHATSAPP_PORT", "70000"),
        ("DODOLAN_WHATSAPP_PATH", "wa hook"),
        ("DODOLAN_WHATSAPP_MPS", "0"),
        ("DODOLAN_WHATSAPP_TIER", "lots"),
    ],
)
def test_invalid_values_name_their_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        WhatsAppSettings.from_env({**CORE, variable: value})
    assert caught.value.variable == variable


def test_repr_hides_the_token_and_secrets() -> None:
    settings = WhatsAppSettings.from_env(CORE)
    shown = repr(settings) + str(settings)
    assert "106540352242922" in shown
    for secret in (TOKEN, SECRET, VERIFY):
        assert secret not in shown

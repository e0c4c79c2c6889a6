"""Logs never carry the token or phone numbers."""

from __future__ import annotations

import logging

from bot.app.logs import RedactingFormatter

TOKEN = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOpp_-"


def _format(message: str, *args: object) -> str:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, message, args, None)
    return RedactingFormatter("%(message)s", (TOKEN,)).format(record)


def test_token_is_masked_anywhere() -> None:
    line = _format("POST https://api.telegram.org/bot%s/getMe failed", TOKEN)
    assert TOKEN not in line and "[token]" in line


def test_unknown_token_like_strings_are_masked() -> None:
    line = _format("bot9876543:ZZyyXXwwVVuuTTssRRqqPPooNNmmLLkkJJ/getMe")
    assert "ZZyyXX" not in line


def test_phone_numbers_are_masked() -> None:
    for phone in ("+6281234567890", "081234567890", "0812-3456-7890", "62 812 3456 7890"):
        assert "[phone]" in _format("contact %s saved", phone), phone


def test_ordinary_numbers_survive() -> None:
    assert (
        _format("update %s handled in %s ms", 123456789, 42) == "update 123456789 handled in 42 ms"
    )


def test_whatsapp_message_ids_are_masked() -> None:
    wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="  # Meta's example
    line = _format("status for %s: failed", wamid)
    assert line == "status for [wamid]: failed"

"""Parsing what staff type while composing a broadcast."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import InvalidInput
from bot.services.broadcast_input import parse_button, parse_moment

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    "text", ["12-12-2026 09.00", "12/12/2026 09:00", " 12.12.2026  9.00 WIB "]
)
def test_moments(text: str) -> None:
    assert parse_moment(text, WIB) == datetime(2026, 12, 12, 9, 0, tzinfo=WIB)


@pytest.mark.parametrize(
    "text", ["besok pagi", "12-12-2026", "31-02-2026 09.00", "12-12-2026 25.00"]
)
def test_bad_moments(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_moment(text, WIB)


def test_buttons() -> None:
    assert parse_button("Daftar di sini | https://example.id/a?b=1") == (
        "Daftar di sini",
        "https://example.id/a?b=1",
    )
    for bad in ("no link", "| https://x.id", "Label | ftp://x.id", "Label | https://"):
        with pytest.raises(InvalidInput):
            parse_button(bad)

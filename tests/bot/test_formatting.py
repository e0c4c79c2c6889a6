"""Dates as people in Malang read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.formatting import format_datetime, format_time_range

WIB = ZoneInfo("Asia/Jakarta")


def test_indonesian_date_and_time_in_wib() -> None:
    moment = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)
    assert format_datetime(moment, WIB, "id") == "Sabtu, 12 Desember 2026, 09.00 WIB"


def test_english_date_and_time_in_wib() -> None:
    moment = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)
    assert format_datetime(moment, WIB, "en") == "Saturday, 12 December 2026, 09:00 WIB"


def test_range_across_utc_midnight() -> None:
    start = datetime(2026, 12, 12, 23, 30, tzinfo=UTC)  # 06.30 WIB on Sunday the 13th
    text = format_time_range(start, start + timedelta(hours=2), WIB, "id")
    assert text == "Minggu, 13 Desember 2026, 06.30–08.30 WIB"


def test_other_indonesian_zones_are_named() -> None:
    moment = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)
    assert format_datetime(moment, ZoneInfo("Asia/Makassar"), "id").endswith("10.00 WITA")
    assert format_datetime(moment, ZoneInfo("Asia/Jayapura"), "id").endswith("11.00 WIT")

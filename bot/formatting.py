"""Dates and times as people in Malang read them: "Sabtu, 12 Desember 2026, 09.00 WIB"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

_ZONE_NAMES = {timedelta(hours=7): "WIB", timedelta(hours=8): "WITA", timedelta(hours=9): "WIT"}
_TIME_PATTERN = {"id": "HH.mm", "en": "HH:mm"}


def zone_label(moment: datetime) -> str:
    """Return WIB, WITA or WIT for Indonesian offsets, else the zone's own abbreviation."""
    offset = moment.utcoffset()
    if offset in _ZONE_NAMES:
        return _ZONE_NAMES[offset]
    return moment.tzname() or "UTC"


def format_day(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """Return e.g. "Sabtu, 12 Desember 2026"."""
    return format_date(moment.astimezone(tz), "EEEE, d MMMM y", locale=language)


def format_clock(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """Return e.g. "09.00" (Indonesian) or "09:00" (English)."""
    return format_time(
        moment.astimezone(tz), _TIME_PATTERN.get(language, "HH:mm"), locale=language
    )


def format_datetime(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """Return e.g. "Sabtu, 12 Desember 2026, 09.00 WIB"."""
    local = moment.astimezone(tz)
    day, clock = format_day(local, tz, language), format_clock(local, tz, language)
    return f"{day}, {clock} {zone_label(local)}"


def format_time_range(start: datetime, end: datetime, tz: ZoneInfo, language: str) -> str:
    """Return e.g. "Sabtu, 12 Desember 2026, 09.00–11.00 WIB"."""
    local = start.astimezone(tz)
    return (
        f"{format_day(local, tz, language)}, {format_clock(local, tz, language)}–"
        f"{format_clock(end, tz, language)} {zone_label(local)}"
    )

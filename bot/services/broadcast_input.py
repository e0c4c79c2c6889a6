"""Pure parsing of what staff type while composing a broadcast."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.errors import InvalidInput
from bot.services.session_input import parse_clock, split_date

_BUTTON_RE = re.compile(r"^\s*(.{1,40}?)\s*\|\s*(https?://\S{3,500})\s*$")
MAX_BUTTONS = 3


def parse_moment(text: str, tz: ZoneInfo) -> datetime:
    """Read ``12-12-2026 09.00`` (WIB) into an aware datetime, with the dates and clock
    times /sesibaru and /sesi accept."""
    try:
        day, rest = split_date(text)
        clock = parse_clock(rest)
    except InvalidInput:
        raise InvalidInput("broadcast.invalid.moment") from None
    if day is None:
        raise InvalidInput("broadcast.invalid.moment")
    return datetime.combine(day, clock, tzinfo=tz)


def parse_button(text: str) -> tuple[str, str]:
    """Read ``Label | https://link`` into a link button."""
    match = _BUTTON_RE.match(text)
    if not match or not match[1].strip():
        raise InvalidInput("broadcast.invalid.button")
    return match[1].strip(), match[2]

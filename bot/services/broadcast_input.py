"""Pure parsing of what staff type while composing a broadcast."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.services.session_input import parse_date

_CLOCK_RE = re.compile(r"^\s*(\d{1,2})\s*[.:]\s*(\d{2})\s*(?:WIB)?\s*$", re.IGNORECASE)
_BUTTON_RE = re.compile(r"^\s*(.{1,40}?)\s*\|\s*(https?://\S{3,500})\s*$")
MAX_BUTTONS = 3


def parse_moment(text: str, tz: ZoneInfo) -> datetime:
    """Read ``12-12-2026 09.00`` (WIB) into an aware datetime."""
    pieces = text.strip().split(maxsplit=1)
    if len(pieces) != 2:
        raise InvalidInput("broadcast.invalid.moment")
    day = parse_date(pieces[0])
    match = _CLOCK_RE.match(pieces[1])
    if not match:
        raise InvalidInput("broadcast.invalid.moment")
    try:
        clock = time(int(match[1]), int(match[2]))
    except ValueError:
        raise InvalidInput("broadcast.invalid.moment") from None
    return datetime.combine(day, clock, tzinfo=tz)


def parse_button(text: str) -> tuple[str, str]:
    """Read ``Label | https://link`` into a link button."""
    match = _BUTTON_RE.match(text)
    if not match or not match[1].strip():
        raise InvalidInput("broadcast.invalid.button")
    return match[1].strip(), match[2]

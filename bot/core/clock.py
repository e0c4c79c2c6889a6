"""The injectable clock: every service asks it for the time instead of the system."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)

"""The demo clock on the web chat: where it stands, and a control to move it forward.

The demo passes a :class:`ClockControl` (the time both the bot and the WhatsApp emulator
read); moving it lets a visitor see what happens a day later without waiting a day: the
24-hour WhatsApp window closes, reminders fall due, the next notice goes as a template.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

import tornado.web

from simulator.webchat_http import Base, json_body

MAX_HOURS = 720  # one move: 30 days, past the practice tasks and the first outcome check-in


class ClockControl(Protocol):
    """A clock the visitor may move forward."""

    @property
    def offset(self) -> timedelta:
        """How far it has been moved, in all."""
        ...

    def __call__(self) -> datetime:
        """The current (moved) time, timezone-aware."""
        ...

    async def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta`` and let the bot catch up with what fell due."""
        ...


def clock_view(clock: ClockControl) -> dict[str, Any]:
    """The clock as the page shows it: the time (unix seconds) and the hours moved."""
    return {"now": clock().timestamp(), "moved_hours": clock.offset.total_seconds() / 3600}


class ClockHandler(Base):
    """GET /api/clock, POST /api/clock {hours}."""

    def get(self) -> None:
        """Where the clock stands (404 when the demo has none)."""
        self.answer(clock_view(self._clock()))

    async def post(self) -> None:
        """Move the clock forward by a whole number of hours (1 to 720)."""
        clock = self._clock()
        hours = json_body(self.request).get("hours")
        if isinstance(hours, bool) or not isinstance(hours, int):
            raise tornado.web.HTTPError(400)
        if not 1 <= hours <= MAX_HOURS:
            raise tornado.web.HTTPError(400)
        await clock.advance(timedelta(hours=hours))
        self.answer(clock_view(clock))

    def _clock(self) -> ClockControl:
        if self.chat.clock is None:
            raise tornado.web.HTTPError(404)
        return self.chat.clock

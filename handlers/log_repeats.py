"""Log lines that a flood can repeat: a few of each kind a minute, then a count.

A webhook port is where strangers can make the bot log: each refused request, each closed
connection, each accept that fails for want of file descriptors. :class:`RepeatFilter` sits
on the loggers those lines come from (:data:`REPEATING_LOGGERS`) and lets ``burst`` lines of
one kind (logger, level, message template) through per ``window`` seconds; the next line
let through says how many were dropped.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

REPEATING_LOGGERS = (
    "tornado.access",
    "tornado.application",
    "tornado.general",
    "asyncio",
    "handlers.webdoor",
    "handlers.telegram.webhook",
    "handlers.whatsapp.webhook",
)


class RepeatFilter(logging.Filter):
    """Let ``burst`` lines of one kind (logger, level, message template) through per
    ``window`` seconds; drop the rest and say how many on the next line let through."""

    def __init__(
        self,
        burst: int = 5,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._burst = burst
        self._window = window
        self._clock = clock
        self._kinds: dict[tuple[str, int, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Pass or drop ``record``; a passed one after drops carries their count."""
        kind = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        seen = self._kinds.get(kind)
        if seen is None or now - seen[0] >= self._window:
            dropped = int(seen[2]) if seen is not None else 0
            if len(self._kinds) > 1000:  # many kinds: forget the old windows
                self._kinds.clear()
            self._kinds[kind] = [now, 1, 0]
            if dropped and isinstance(record.args, tuple):
                record.msg = f"{record.msg} (and %d more like this in the last %d s)"
                record.args = (*record.args, dropped, int(now - seen[0]))  # type: ignore[index]
            return True
        if seen[1] < self._burst:
            seen[1] += 1
            return True
        seen[2] += 1
        return False

    def dropped_early(self, name: str, level: int, message: str) -> bool:
        """Count a line of this kind as dropped, without making its record, if it would be."""
        seen = self._kinds.get((name, level, message))
        if seen is None or self._clock() - seen[0] >= self._window or seen[1] < self._burst:
            return False
        seen[2] += 1
        return True


_FILTER = RepeatFilter()


@functools.cache
def quiet_repeats() -> None:
    """Put :class:`RepeatFilter` on every logger a webhook port can make repeat (once)."""
    for name in REPEATING_LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)


def log_limited(
    log: logging.Logger, message: str, *args: object, level: int = logging.WARNING
) -> None:
    """Log a line that a flood can repeat, through the logger's :class:`RepeatFilter`; a
    line it would drop costs no log record (a flood calls this thousands of times)."""
    quiet_repeats()
    if log.isEnabledFor(level) and not _FILTER.dropped_early(log.name, level, message):
        log.log(level, message, *args)

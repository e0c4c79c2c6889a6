"""The WhatsApp channel's pause while Meta fails for everyone (5xx, network, a refused token).

When a send fails in a way that is not about one recipient, every send waits: the first
failure pauses for :data:`BASE`, each further one for twice as long up to :data:`CEILING`,
and never for less than the error's own delay (a ``Retry-After``, 10 minutes for a refused
token, Meta's rate-limit codes). While paused, :meth:`Outage.check` refuses at once with
``RetryLater`` for the time left, so nothing hammers Meta and every owed message is put back
for the same moment; when a send succeeds again the pause ends. A refused token (code 190) is
logged at ERROR once per outage: sending stays stopped until the token is rotated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core.errors import RetryLater

logger = logging.getLogger(__name__)

BASE = timedelta(seconds=5)
CEILING = timedelta(minutes=5)


class Outage:
    """Whether WhatsApp sends are paused, and until when."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self.on_token_refused: Callable[[], None] | None = None  # tell staff (the assembly)
        self.until: datetime | None = None
        self.since: datetime | None = None
        self.failures = 0
        self.token_refused = False

    def check(self) -> None:
        """Raise ``RetryLater`` for the time left if sends are paused."""
        now = self._now()
        if self.until is not None and now < self.until:
            reason = "token refused" if self.token_refused else "Meta is failing"
            raise RetryLater(f"whatsapp: sends paused ({reason})", self.until - now, everyone=True)

    def hit(self, exc: RetryLater, *, own_delay: bool, token: bool = False) -> RetryLater:
        """Pause after a failure for everyone; the error to raise in its place."""
        now = self._now()
        if self.until is None or now >= self.until:
            self.failures += 1
        backoff = min(CEILING, BASE * 2 ** (self.failures - 1))
        delay = max(backoff, exc.delay) if own_delay else backoff
        self.until = max(self.until or now, now + delay)
        if self.since is None:
            self.since = now
            logger.warning("WhatsApp sends paused for %ds: %s", delay.total_seconds(), exc.reason)
        if token and not self.token_refused:
            logger.error(
                "Meta REFUSED THE WHATSAPP ACCESS TOKEN (%s): every WhatsApp send is stopped; "
                "replies and notices are kept and go out once WHATSAPP_ACCESS_TOKEN is rotated",
                exc.reason,
            )
            if self.on_token_refused is not None:
                self.on_token_refused()
        self.token_refused = self.token_refused or token
        return RetryLater(exc.reason, self.until - now, everyone=True, uncertain=exc.uncertain)

    def ok(self) -> None:
        """A send went through: end the pause."""
        if self.since is None:
            return
        logger.warning(
            "WhatsApp sends work again after %d min; what waited goes out oldest first",
            (self._now() - self.since).total_seconds() // 60,
        )
        self.until = self.since = None
        self.failures = 0
        self.token_refused = False

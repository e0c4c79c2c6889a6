"""Pacing of WhatsApp sends: per business number, per recipient, and the messaging tier.

* **Per number** (130429): at most ``messages_per_second`` sends in any second (Meta's default
  80 per number, WHATSAPP-FACTS §3). Bulk sends (reminders, broadcasts) use at most
  ``bulk_share`` of it, so replies to people who just wrote always find room.
* **Per recipient** (131056, "pair rate"): a token bucket of ``pair_burst`` messages refilled
  one per ``pair_interval`` seconds (about 1 / 6 s after a short burst). All the messages of
  one notice are reserved together, each with the time it may go, so a notice is either sent
  whole, its parts spaced out, or not started: when its last part would have to wait longer
  than ``reply_wait`` (replies) or ``bulk_wait`` (bulk), :class:`RetryLater` is raised for
  this recipient only and nothing is used up.
* **Messaging tier**: the unique recipients of out-of-window templates in a moving 24 h are
  counted in SQLite (``storage.whatsapp_contacts``) by the channel; see ``reserve_tier``.

Times are ``monotonic`` seconds and waits go through ``sleep``; both are injected, so tests
move a fake clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.errors import RetryLater

Sleep = Callable[[float], Awaitable[None]]
MAX_BUCKETS = 4096


@dataclass(frozen=True)
class PacingLimits:
    """How fast the channel sends (stricter than Meta's limits, never looser)."""

    messages_per_second: int = 80
    pair_burst: int = 20  # Meta allows short bursts (about 45, unconfirmed): stay well below
    pair_interval: float = 6.0
    reply_wait: float = 8.0  # the longest a reply waits for its recipient's slot
    bulk_wait: float = 1.0  # the longest a bulk send waits before handing the row back
    bulk_share: float = 0.8  # of the per-second budget bulk sends may take


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class Pacer:
    """Decides when each message may go; shared by every send of one business number."""

    limits: PacingLimits = field(default_factory=PacingLimits)
    monotonic: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    _recent: deque[float] = field(default_factory=deque)
    _pairs: dict[str, _Bucket] = field(default_factory=dict)

    def reserve(self, recipient: str, count: int, *, bulk: bool) -> list[float]:
        """Reserve ``count`` messages to one recipient; the time each may go, or RetryLater."""
        lim, now = self.limits, self.monotonic()
        bucket = self._pairs.get(recipient) or _Bucket(float(lim.pair_burst), now)
        tokens = min(
            float(lim.pair_burst), bucket.tokens + (now - bucket.stamp) / lim.pair_interval
        )
        ready = [max(now, now + (k - tokens) * lim.pair_interval) for k in range(1, count + 1)]
        wait = ready[-1] - now if ready else 0.0
        if wait > (lim.bulk_wait if bulk else lim.reply_wait):
            raise RetryLater(
                "whatsapp: pacing messages to this person",
                timedelta(seconds=math.ceil(wait)),
            )
        self._pairs[recipient] = _Bucket(tokens - count, now)
        if len(self._pairs) > MAX_BUCKETS:
            self.forget_idle()
        return ready

    async def wait_until(self, moment: float) -> None:
        """Sleep until the monotonic ``moment`` (at once if it has passed)."""
        delay = moment - self.monotonic()
        if delay > 0:
            await self.sleep(delay)

    async def number_slot(self, *, bulk: bool) -> None:
        """Wait for room in the number's per-second budget, then take it."""
        lim = self.limits
        cap = max(1, math.floor(lim.messages_per_second * lim.bulk_share)) if bulk else None
        cap = cap or lim.messages_per_second
        while True:
            now = self.monotonic()
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) < cap:
                self._recent.append(now)
                return
            await self.sleep(max(0.001, 1.0 - (now - self._recent[-cap])))

    def forget_idle(self) -> None:
        """Drop the buckets of recipients whose bursts have refilled (bounded memory)."""
        lim, now = self.limits, self.monotonic()
        full = lim.pair_burst * lim.pair_interval
        for key in [k for k, b in self._pairs.items() if now - b.stamp >= full]:
            del self._pairs[key]

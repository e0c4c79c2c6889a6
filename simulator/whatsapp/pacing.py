"""Throughput (130429), pair rate (131056) and messaging-tier limits (WHATSAPP-FACTS §3).

Throughput and pair rate run on a monotonic clock (injectable); the tier counts unique
recipients of out-of-window templates over a moving 24 h on the emulator's own clock.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from simulator.whatsapp.errors import GraphError

# Meta's error-code table has no code named for the business-initiated messaging limit; 131048
# ("restrictions on how many messages can be sent from this phone number") is the closest.
TIER_ERROR_CODE = 131048


@dataclass
class Limits:
    """Pacing configuration; ``enabled=False`` turns every limit off."""

    messages_per_second: int = 80
    pair_burst: int = 45
    pair_interval: float = 6.0
    pair_enabled: bool = True
    tier: int = 250
    tier_error_code: int = TIER_ERROR_CODE
    enabled: bool = True


@dataclass
class _Bucket:
    """A token bucket for one recipient."""

    tokens: float
    stamp: float


@dataclass
class Pacer:
    """Applies ``Limits`` to accepted sends."""

    limits: Limits
    monotonic: Callable[[], float] = time.monotonic
    _recent: deque[float] = field(default_factory=deque)
    _pairs: dict[str, _Bucket] = field(default_factory=dict)
    _tier: dict[str, datetime] = field(default_factory=dict)

    def throughput(self) -> None:
        """Refuse with 130429 beyond messages_per_second in the last second."""
        if not self.limits.enabled:
            return
        now = self.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.limits.messages_per_second:
            raise GraphError(
                130429,
                f"Throughput of {self.limits.messages_per_second} messages per second per "
                "phone number reached. Retry later.",
            )
        self._recent.append(now)

    def pair(self, user_id: str) -> None:
        """Refuse with 131056 when one recipient gets messages too fast."""
        lim = self.limits
        if not (lim.enabled and lim.pair_enabled):
            return
        now = self.monotonic()
        bucket = self._pairs.setdefault(user_id, _Bucket(float(lim.pair_burst), now))
        bucket.tokens = min(
            float(lim.pair_burst), bucket.tokens + (now - bucket.stamp) / lim.pair_interval
        )
        bucket.stamp = now
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) * lim.pair_interval)
            raise GraphError(
                131056,
                f"Message failed to send because there were too many messages sent from this "
                f"phone number to the same phone number in a short period of time. Retry in "
                f"about {wait} s.",
            )
        bucket.tokens -= 1

    def tier(self, user_id: str, now: datetime) -> None:
        """Refuse a template to a new out-of-window recipient beyond the tier."""
        if not self.limits.enabled:
            return
        for uid, at in list(self._tier.items()):
            if now - at >= timedelta(hours=24):
                del self._tier[uid]
        if user_id not in self._tier and len(self._tier) >= self.limits.tier:
            raise GraphError(
                self.limits.tier_error_code,
                f"Messaging limit reached: {self.limits.tier} unique users outside the "
                "customer-service window in a moving 24 hours.",
            )

    def count_tier(self, user_id: str, now: datetime) -> None:
        """Record an accepted out-of-window template (the first send in 24 h counts)."""
        self._tier.setdefault(user_id, now)

    @property
    def tier_used(self) -> int:
        """Unique out-of-window recipients counted in the moving 24 hours."""
        return len(self._tier)

"""Token-bucket rate limits modelled on Telegram's flood control."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from simulator.errors import ApiError


@dataclass
class RateLimits:
    """Rate limit configuration for sending/editing methods."""

    global_per_second: float = 30
    chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20
    enabled: bool = True


class MovableMonotonic:
    """The real monotonic clock, which a test may move ahead (never back).

    The emulator's flood limits and the bot's rate limiter read one of these, so a person's
    pause between two actions (:attr:`BotApiEmulator.pause`) and a test's "a minute passes"
    are skipped on it rather than waited for.
    """

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.ahead

    def skip(self, seconds: float) -> None:
        """Move the clock ``seconds`` ahead of the real one."""
        if seconds < 0:
            raise ValueError("a monotonic clock never goes back")
        self.ahead += seconds


@dataclass
class _Bucket:
    """A token bucket."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        """Add tokens for elapsed time."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self) -> float:
        """Seconds until one token is available."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


def is_limited_method(method: str) -> bool:
    """True for methods subject to flood limits (send*, edit*, copy/forward)."""
    if method == "sendChatAction":
        return False
    return method.startswith(("send", "edit", "copyMessage", "forwardMessage"))


class RateLimiter:
    """Global, per-chat and per-group token buckets."""

    def __init__(
        self, limits: RateLimits, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self.monotonic = monotonic
        self._global = _Bucket(
            limits.global_per_second,
            limits.global_per_second,
            limits.global_per_second,
            monotonic(),
        )
        self._chats: dict[int | str, _Bucket] = {}

    def _chat_bucket(self, chat_id: int | str, now: float) -> _Bucket:
        """Return (creating) the bucket of one chat."""
        bucket = self._chats.get(chat_id)
        if bucket is None:
            lim = self.limits
            is_group = isinstance(chat_id, int) and chat_id < 0
            if is_group:
                bucket = _Bucket(
                    lim.group_per_minute,
                    lim.group_per_minute / 60,
                    lim.group_per_minute,
                    now,
                )
            else:
                bucket = _Bucket(lim.chat_burst, lim.chat_per_second, lim.chat_burst, now)
            self._chats[chat_id] = bucket
        return bucket

    def acquire(self, chat_id: int | str | None) -> None:
        """Consume a token for a call or raise a 429 ApiError."""
        if not self.limits.enabled:
            return
        now = self.monotonic()
        buckets = [self._global]
        if chat_id is not None:
            buckets.append(self._chat_bucket(chat_id, now))
        for b in buckets:
            b.refill(now)
        wait = max(b.wait_time() for b in buckets)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry, violation=False)
        for b in buckets:
            b.tokens -= 1

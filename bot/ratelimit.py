"""Pace every call to Telegram under its flood limits, conversations first.

Telegram allows about 30 messages per second in total, about 1 per second to one chat (with
a small burst) and 20 per minute to a group. Direct replies to people chatting with the bot
and bulk sends from the outbox share those limits, so one limiter paces both:

* replies reserve the next global slot at once and never wait for a chat's own budget;
* bulk sends (``rate_limit_args={"bulk": True}``) take a global slot only when it is free
  and no reply is waiting, and also respect each chat's and group's budget.

A bulk send therefore never delays a reply by more than one slot (1/30 s). On a 429 the
limiter stops all bulk sends for ``retry_after`` and retries the call (replies too), so the
whole bot backs off as Telegram asks. PTB's ``AIORateLimiter`` has no per-chat limit or
priority, and in 22.8 a finishing request can end its 429 pause early (PTB #5338).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypedDict

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)


class RateLimitArgs(TypedDict, total=False):
    """What a caller may pass as ``rate_limit_args``."""

    bulk: bool


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class PriorityRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """Global, per-chat and per-group pacing with replies ahead of bulk sends."""

    def __init__(
        self,
        per_second: float = 29.5,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        group_per_minute: float = 20,
        max_retries: int = 3,
    ) -> None:
        self._interval = 1 / per_second
        self._next_slot = 0.0
        self._replies_waiting = 0
        self._chat_rate = chat_per_second
        self._chat_burst = chat_burst
        self._group_rate = group_per_minute / 60
        self._group_burst = group_per_minute
        self._chats: dict[int | str, _Bucket] = {}
        self._paused_until = 0.0
        self._max_retries = max_retries
        self._lock = asyncio.Lock()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for a slot, make the call, and retry after a 429."""
        chat_id = data.get("chat_id")
        if chat_id is None or not _is_limited(endpoint):
            return await callback(*args, **kwargs)
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        for attempt in range(self._max_retries + 1):
            if bulk:
                await self._bulk_slot(chat_id)
            else:
                await self._reply_slot(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                delay = _seconds(exc.retry_after)
                self._paused_until = max(self._paused_until, time.monotonic() + delay)
                logger.warning("429 from Telegram on %s: pausing %.1fs", endpoint, delay)
                if attempt == self._max_retries:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _reply_slot(self, chat_id: int | str) -> None:
        self._replies_waiting += 1
        try:
            async with self._lock:
                now = time.monotonic()
                slot = max(now, self._next_slot, self._paused_until)
                self._next_slot = slot + self._interval
                self._bucket(chat_id).take()
            await asyncio.sleep(slot - now)
        finally:
            self._replies_waiting -= 1

    async def _bulk_slot(self, chat_id: int | str) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                bucket = self._bucket(chat_id)
                ready = max(self._next_slot, self._paused_until) - now
                ready = max(ready, bucket.wait(now))
                if ready <= 0 and self._replies_waiting == 0:
                    self._next_slot = now + self._interval
                    bucket.take()
                    return
            await asyncio.sleep(max(ready, self._interval / 4))

    def _bucket(self, chat_id: int | str) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            group = isinstance(chat_id, int) and chat_id < 0
            bucket = (
                _Bucket(self._group_rate, self._group_burst)
                if group
                else _Bucket(self._chat_rate, self._chat_burst)
            )
            self._chats[chat_id] = bucket
        return bucket


def _is_limited(endpoint: str) -> bool:
    return endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage")) and (
        endpoint != "sendChatAction"
    )


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after

"""Pace every call to Telegram under its flood limits, conversations first, chat by chat.

Telegram allows about 30 messages per second in total, about 1 per second to one chat (with
a small burst) and 20 per minute to a group. Direct replies to people chatting with the bot
and bulk sends from the outbox share those limits, so one limiter paces both:

* every call first waits for its own chat's budget, and only that: a chat that floods the
  bot waits for itself and never for a global slot it cannot use yet;
* a reply then takes the next global slot in arrival order (first come, first served across
  chats, so one busy chat cannot starve the others);
* a bulk send (``rate_limit_args={"bulk": True}``) takes a global slot only when it is free
  and no reply is waiting for one, so it never delays a reply by more than one slot.

A 429 backs off the chat it was about, not the bot: Telegram does not say whether a
``retry_after`` was for one chat or for the whole bot (TELEGRAM-FACTS §limits), so the
limiter pauses that chat only, and pauses everything only when several different chats are
refused within a short window, which is what the global limit looks like from here. PTB's
``AIORateLimiter`` pauses everything on any 429 and has no per-chat limit or priority.

Per-chat state is dropped as soon as a chat's budget has refilled, so it is bounded by the
chats active in the last few seconds, not by every chat ever seen.
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

# 429s for this many different chats within GLOBAL_WINDOW seconds mean the bot as a whole.
GLOBAL_CHATS = 3
GLOBAL_WINDOW = 2.0
# Prune idle chats' state when this many are held (and at most once a second).
PRUNE_ABOVE = 1_000


class RateLimitArgs(TypedDict, total=False):
    """What a caller may pass as ``rate_limit_args``."""

    bulk: bool


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)
    paused_until: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        pause = max(0.0, self.paused_until - now)
        return max(pause, 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate)

    def take(self) -> None:
        self.tokens -= 1

    def idle(self, now: float) -> bool:
        """Full again and not paused: forgetting it loses nothing."""
        refilled = self.tokens + (now - self.stamp) * self.rate >= self.capacity
        return refilled and now >= self.paused_until


class PriorityRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """Per-chat budgets first, then global slots: replies in arrival order, bulk after them."""

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
        self._refusals: dict[int | str, float] = {}
        self._paused_until = 0.0
        self._pruned_at = 0.0
        self._max_retries = max_retries
        self._lock = asyncio.Lock()

    @property
    def tracked_chats(self) -> int:
        """How many chats' budgets are held in memory now."""
        return len(self._chats)

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
        """Wait for the chat's budget and a global slot, make the call, retry after a 429."""
        chat_id = data.get("chat_id")
        if chat_id is None or not _is_limited(endpoint):
            return await callback(*args, **kwargs)
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        for attempt in range(self._max_retries + 1):
            await self._chat_turn(chat_id)
            if bulk:
                await self._bulk_slot()
            else:
                await self._reply_slot()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                delay = _seconds(exc.retry_after)
                scope = self._back_off(chat_id, delay)
                logger.warning(
                    "429 from Telegram on %s: pausing %s for %.1fs", endpoint, scope, delay
                )
                if attempt == self._max_retries:
                    raise
        raise AssertionError("unreachable")

    async def _chat_turn(self, chat_id: int | str) -> None:
        """Wait until the chat's own budget has a token, then take it."""
        while True:
            async with self._lock:
                now = time.monotonic()
                bucket = self._bucket(chat_id, now)
                ready = bucket.wait(now)
                if ready <= 0:
                    bucket.take()
                    return
            await asyncio.sleep(ready)

    async def _reply_slot(self) -> None:
        self._replies_waiting += 1
        try:
            async with self._lock:
                now = time.monotonic()
                slot = max(now, self._next_slot, self._paused_until)
                self._next_slot = slot + self._interval
            await asyncio.sleep(slot - now)
        finally:
            self._replies_waiting -= 1

    async def _bulk_slot(self) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                ready = max(self._next_slot, self._paused_until) - now
                if ready <= 0 and self._replies_waiting == 0:
                    self._next_slot = now + self._interval
                    return
            await asyncio.sleep(max(ready, self._interval / 4))

    def _back_off(self, chat_id: int | str, delay: float) -> str:
        """Pause the chat; pause the bot if several chats were refused together."""
        now = time.monotonic()
        until = now + delay
        bucket = self._bucket(chat_id, now)
        bucket.paused_until = max(bucket.paused_until, until)
        self._refusals = {c: t for c, t in self._refusals.items() if now - t < GLOBAL_WINDOW}
        self._refusals[chat_id] = now
        if len(self._refusals) >= GLOBAL_CHATS:
            self._paused_until = max(self._paused_until, until)
            return "every chat"
        return "one chat"

    def _bucket(self, chat_id: int | str, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            self._prune(now)
            group = isinstance(chat_id, int) and chat_id < 0
            bucket = (
                _Bucket(self._group_rate, self._group_burst)
                if group
                else _Bucket(self._chat_rate, self._chat_burst)
            )
            self._chats[chat_id] = bucket
        return bucket

    def _prune(self, now: float) -> None:
        if len(self._chats) < PRUNE_ABOVE or now - self._pruned_at < 1.0:
            return
        self._pruned_at = now
        self._chats = {c: b for c, b in self._chats.items() if not b.idle(now)}


def _is_limited(endpoint: str) -> bool:
    return endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage")) and (
        endpoint != "sendChatAction"
    )


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after

"""Pace every call to Telegram under its flood limits, conversations first, chat by chat.

Telegram allows about 30 messages per second in total, about 1 per second to one chat (with
a small burst) and 20 per minute to a group. Direct replies to people chatting with the bot
and bulk sends from the outbox share those limits, so one limiter paces both:

* every call first waits for its own chat's budget, and only that: a chat that floods the
  bot waits for itself and never for a global slot it cannot use yet;
* then it queues for the global budget: ``urgent`` calls (``rate_limit_args={"urgent":
  True}``, e.g. telling a newcomer their place in the queue) first, then replies, then bulk
  sends (``{"bulk": True}``, the outbox); within a class, first come first served, which
  across chats that each wait for one call is round-robin. A bulk send never delays a reply
  by more than the one slot it holds.

A 429 backs off the chat it was about, not the bot: Telegram does not say whether a
``retry_after`` was for one chat or for the whole bot (TELEGRAM-FACTS §limits), so the
limiter pauses that chat only, and pauses everything only when several different chats are
refused within a short window, which is what the global limit looks like from here. PTB's
``AIORateLimiter`` pauses everything on any 429 and has no per-chat limit or priority.

Per-chat state is dropped as soon as a chat's budget has refilled, so it is bounded by the
chats active in the last few seconds, not by every chat ever seen.

Times are ``monotonic`` seconds and waits go through ``sleep``; both are injected (as in the
WhatsApp pacer), so tests move a virtual clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypedDict

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# 429s for this many different chats within GLOBAL_WINDOW seconds mean the bot as a whole.
GLOBAL_CHATS = 3
GLOBAL_WINDOW = 2.0
# Seconds over which :attr:`PriorityRateLimiter.utilisation` is measured.
UTILISATION_WINDOW = 5.0
# Prune idle chats' state when this many are held (and at most once a second).
PRUNE_ABOVE = 1_000


class RateLimitArgs(TypedDict, total=False):
    """What a caller may pass as ``rate_limit_args``."""

    bulk: bool
    urgent: bool


# Classes in the queue for the global budget, served in this order.
_URGENT, _REPLY, _BULK = 0, 1, 2


@dataclass
class _Bucket:
    rate: float
    capacity: float
    stamp: float
    tokens: float = field(init=False)
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
    """Per-chat budgets first, then global slots handed out one by one: urgent, replies, bulk.

    Every call that has its chat's token joins one queue for the global budget, ordered by
    class (``urgent`` first, then replies, then ``bulk``) and, within a class, by arrival;
    one dispatcher releases the head of the queue every ``1 / per_second`` seconds. A call
    waits its turn and no longer, so the longest wait is the queue ahead of it, which
    :attr:`reply_backlog` reports (seconds) for admission decisions.
    """

    def __init__(
        self,
        per_second: float = 29.5,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        group_per_minute: float = 20,
        max_retries: int = 3,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self._interval = 1 / per_second
        self._next_slot = 0.0
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._per_second = per_second
        self._released: collections.deque[float] = collections.deque()
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

    @property
    def reply_backlog(self) -> float:
        """Seconds a reply asking now would wait for its global slot."""
        ahead = sum(1 for cls, _, _ in self._queue if cls <= _REPLY)
        pause = max(0.0, self._paused_until - self._monotonic())
        return pause + ahead * self._interval

    @property
    def utilisation(self) -> float:
        """The share of the global budget used over the last few seconds (0 to 1)."""
        horizon = self._monotonic() - UTILISATION_WINDOW
        while self._released and self._released[0] < horizon:
            self._released.popleft()
        return len(self._released) / (self._per_second * UTILISATION_WINDOW)

    async def initialize(self) -> None:
        """Nothing to set up: the dispatcher starts with the first call."""

    async def shutdown(self) -> None:
        """Stop the dispatcher; calls still waiting fail as cancelled."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None
        for _, _, waiter in self._queue:
            waiter.cancel()
        self._queue.clear()

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
        cls = _class_of(rate_limit_args)
        for attempt in range(self._max_retries + 1):
            await self._chat_turn(chat_id)
            await self._global_turn(cls)
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
                now = self._monotonic()
                bucket = self._bucket(chat_id, now)
                ready = bucket.wait(now)
                if ready <= 0:
                    bucket.take()
                    return
            await self._sleep(ready)

    async def _global_turn(self, cls: int) -> None:
        """Join the queue for the global budget and wait to be released."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (cls, next(self._seq), waiter))
        self._wake.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="ratelimit-dispatch")
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                raise  # released just as the caller gave up: the slot is simply unused
            self._queue = [entry for entry in self._queue if entry[2] is not waiter]
            heapq.heapify(self._queue)
            raise

    async def _dispatch(self) -> None:
        """Release the head of the queue once per interval, while anyone waits."""
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            now = self._monotonic()
            ready = max(self._next_slot, self._paused_until)
            if ready > now:
                await self._sleep(ready - now)
                continue
            _, _, waiter = heapq.heappop(self._queue)
            if waiter.done():
                continue
            waiter.set_result(None)
            self._next_slot = now + self._interval
            self._released.append(now)
            if len(self._released) > self._per_second * UTILISATION_WINDOW * 2:
                self._released.popleft()

    def _back_off(self, chat_id: int | str, delay: float) -> str:
        """Pause the chat; pause the bot if several chats were refused together."""
        now = self._monotonic()
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
                _Bucket(self._group_rate, self._group_burst, now)
                if group
                else _Bucket(self._chat_rate, self._chat_burst, now)
            )
            self._chats[chat_id] = bucket
        return bucket

    def _prune(self, now: float) -> None:
        if len(self._chats) < PRUNE_ABOVE or now - self._pruned_at < 1.0:
            return
        self._pruned_at = now
        self._chats = {c: b for c, b in self._chats.items() if not b.idle(now)}


def _class_of(rate_limit_args: RateLimitArgs | None) -> int:
    if rate_limit_args and rate_limit_args.get("urgent"):
        return _URGENT
    if rate_limit_args and rate_limit_args.get("bulk"):
        return _BULK
    return _REPLY


def _is_limited(endpoint: str) -> bool:
    return endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage")) and (
        endpoint != "sendChatAction"
    )


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after

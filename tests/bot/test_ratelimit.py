"""The rate limiter: a 429 backs off one chat, urgent calls go first, state stays bounded.

The limiter runs on virtual time (``tests.virtual_time``): its waits take no wall-clock
time, and the order of calls does not depend on how loaded the machine is.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import RetryAfter

from handlers.telegram.ratelimit import (
    GLOBAL_CHATS,
    PRUNE_ABOVE,
    PriorityRateLimiter,
    RateLimitArgs,
)
from tests.virtual_time import VirtualTime


class FakeTelegram:
    """Records calls in order; refuses the first call of chosen chats with a 429."""

    def __init__(self, refuse: set[int] | None = None, retry_after: int = 1) -> None:
        self.order: list[str] = []
        self.refuse = set(refuse or ())
        self.retry_after = retry_after
        self.refused = asyncio.Event()

    async def call(self, label: str, chat_id: int) -> bool:
        if chat_id in self.refuse:
            self.refuse.discard(chat_id)
            self.order.append(f"429 {label}")
            if not self.refuse:
                self.refused.set()
            raise RetryAfter(self.retry_after)
        self.order.append(label)
        return True


async def send(
    limiter: PriorityRateLimiter,
    api: FakeTelegram,
    label: str,
    chat_id: int,
    args: RateLimitArgs | None = None,
) -> Any:
    return await limiter.process_request(
        api.call, (label, chat_id), {}, "sendMessage", {"chat_id": chat_id}, args
    )


def limiter_on(clock: VirtualTime, **limits: float) -> PriorityRateLimiter:
    return PriorityRateLimiter(**limits, monotonic=clock, sleep=clock.sleep)  # type: ignore[arg-type]


async def test_a_429_for_one_chat_pauses_that_chat_only() -> None:
    clock = VirtualTime()
    limiter = limiter_on(clock, per_second=50)
    api = FakeTelegram(refuse={1})
    refused = asyncio.create_task(send(limiter, api, "a", 1))
    await api.refused.wait()
    start = clock.now
    await clock.run(asyncio.gather(*(send(limiter, api, f"b{n}", 2 + n) for n in range(5))))
    assert clock.now - start < 1  # the others did not wait for chat 1's pause
    await clock.run(refused)
    assert clock.now - start >= 1  # chat 1 waited out its retry_after
    await limiter.shutdown()
    # the other chats, asking after chat 1's 429, went before chat 1's retry
    assert api.order == ["429 a", *(f"b{n}" for n in range(5)), "a"]


async def test_429s_for_several_chats_at_once_pause_the_whole_bot() -> None:
    clock = VirtualTime()
    limiter = limiter_on(clock, per_second=50)
    api = FakeTelegram(refuse=set(range(1, GLOBAL_CHATS + 1)))
    calls = [send(limiter, api, f"c{n}", n) for n in range(1, GLOBAL_CHATS + 1)]
    first = asyncio.gather(*calls)
    await clock.run(api.refused.wait())
    assert limiter.reply_backlog > 0.5  # every chat, a fresh one too, waits for the pause
    fresh = asyncio.ensure_future(send(limiter, api, "fresh", 99))
    await clock.advance(0.5)
    assert "fresh" not in api.order  # half-way through the pause nobody was sent anything
    await clock.run(asyncio.gather(first, fresh))
    await limiter.shutdown()
    assert sorted(api.order[GLOBAL_CHATS:]) == sorted([*(f"c{n}" for n in range(1, 4)), "fresh"])


async def test_urgent_calls_overtake_waiting_replies_and_bulk_comes_last() -> None:
    clock = VirtualTime()
    limiter = limiter_on(clock, per_second=20)
    api = FakeTelegram()
    bulk = [send(limiter, api, f"bulk{n}", 100 + n, {"bulk": True}) for n in range(3)]
    replies = [send(limiter, api, f"reply{n}", 200 + n) for n in range(6)]
    tasks = [asyncio.create_task(c) for c in [*bulk, *replies]]
    await clock.settle()  # all of them are queued now; the first one went at once
    urgent = asyncio.create_task(send(limiter, api, "urgent", 300, {"urgent": True}))
    await clock.run(asyncio.gather(*tasks, urgent))
    await limiter.shutdown()
    # one reply was released before the urgent call arrived; then urgent, replies, bulk
    assert api.order == [
        "reply0",
        "urgent",
        *(f"reply{n}" for n in range(1, 6)),
        *(f"bulk{n}" for n in range(3)),
    ]


async def test_per_chat_state_stays_bounded() -> None:
    clock = VirtualTime()
    limiter = limiter_on(clock, per_second=10_000, chat_per_second=10_000)
    api = FakeTelegram()
    for chunk in range(3):
        calls = (send(limiter, api, "x", chunk * 1000 + n) for n in range(1000))
        await clock.run(asyncio.gather(*calls))
        await clock.advance(1.05)  # every chat's budget refills; pruning may run again
    await limiter.shutdown()
    assert limiter.tracked_chats <= PRUNE_ABOVE + 1000

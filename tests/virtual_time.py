"""Virtual monotonic time for code that takes ``monotonic`` and ``sleep``: nothing waits.

A sleeper waits until the test moves the clock past its deadline (``advance``), or until
``run`` finds every task idle and jumps the clock to the next deadline, so a test of pacing
takes no wall-clock time and its order of events does not depend on the machine's load.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")
SETTLE_ROUNDS = 50  # loop iterations that let every ready task run until it waits again


class VirtualTime:
    """A monotonic clock and its ``sleep``, moved by the test."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        """The current virtual time, in seconds."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Wait until the virtual clock has moved ``seconds`` on."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._seq), waiter))
        await waiter

    async def settle(self) -> None:
        """Let every task that can run do so, until each waits again."""
        for _ in range(SETTLE_ROUNDS):
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        """Move the clock on, waking each sleeper whose time came, in order."""
        until = self.now + seconds
        while self._sleepers and self._sleepers[0][0] <= until:
            deadline, _, waiter = heapq.heappop(self._sleepers)
            self.now = max(self.now, deadline)
            if not waiter.done():
                waiter.set_result(None)
            await self.settle()
        self.now = until
        await self.settle()

    async def run(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable``, jumping the clock to the next deadline whenever all are idle."""
        task = asyncio.ensure_future(awaitable)
        await self.settle()
        while not task.done():
            if not self._sleepers:
                await asyncio.sleep(0)  # waiting on something other than time
                continue
            await self.advance(self._sleepers[0][0] - self.now)
        return task.result()

"""The WhatsApp inbox processor: hands each event the webhook stored, once, to the bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from handlers.whatsapp import events
from storage.database import utc_now
from storage.whatsapp_inbox import InboxEvent, WhatsAppInboxRepository

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class InboxProcessor:
    """Hand each stored event to ``handle`` once; retry a failure a few times, then park it."""

    def __init__(
        self,
        inbox: WhatsAppInboxRepository,
        handle: Callable[[events.Event], Awaitable[None]],
        *,
        now: Clock = utc_now,
        batch: int = 64,
        max_attempts: int = 5,
        backoff: timedelta = timedelta(seconds=30),
    ) -> None:
        self._inbox = inbox
        self._handle = handle
        self._now = now
        self._batch = batch
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look at the inbox now (pass this as the webhook's ``on_stored``)."""
        self._wake.set()

    async def process_once(self) -> int:
        """Handle the events due now; return how many were claimed.

        One person's events are handled in the order they came; different people's side by
        side, so one owner's pacing wait or a burst of delivery statuses about others never
        holds up someone else's reply.
        """
        claimed = await self._inbox.claim(self._batch, self._now())
        by_person: dict[str, list[InboxEvent]] = {}
        for stored in claimed:
            who = stored.wa_id or stored.bsuid or f"event:{stored.id}"
            by_person.setdefault(who, []).append(stored)
        await asyncio.gather(*(self._in_order(queue) for queue in by_person.values()))
        return len(claimed)

    async def _in_order(self, queue: list[InboxEvent]) -> None:
        """Handle one person's events one after another."""
        for index, stored in enumerate(queue):
            if self._stopping:  # left 'processing'; the next start requeues them
                logger.info("stopping with %d claimed inbox events unhandled", len(queue) - index)
                return
            await self._process(stored)

    async def _process(self, stored: InboxEvent) -> None:
        try:
            await self._handle(events.decode(stored.kind, stored.payload))
        except Exception as exc:
            retry_at = None
            if stored.attempts < self._max_attempts:
                retry_at = self._now() + self._backoff * 2 ** (stored.attempts - 1)
            logger.warning(
                "inbox event %d (%s) failed on attempt %d%s",
                stored.id,
                stored.kind,
                stored.attempts,
                "" if retry_at else "; parked as failed",
                exc_info=True,
            )
            await self._inbox.failed(stored.id, type(exc).__name__, retry_at)
        else:
            await self._inbox.done(stored.id, self._now())

    async def run(self) -> None:
        """Process until stopped: whenever woken, and when a retry falls due."""
        requeued = await self._inbox.requeue_interrupted()
        if requeued:
            logger.info("requeued %d inbox events interrupted by a stop", requeued)
        while not self._stopping:
            self._wake.clear()
            try:
                if await self.process_once() == self._batch:
                    continue
            except Exception:  # the database, not an event: wait and try again
                logger.exception("the WhatsApp inbox could not be read; trying again soon")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._backoff.total_seconds())
                continue
            await self._sleep()

    async def _sleep(self) -> None:
        due = await self._inbox.next_due()
        timeout = None if due is None else max(0.0, (due - self._now()).total_seconds())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def start(self) -> None:
        """Run in the background."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="whatsapp-inbox")

    async def stop(self, grace: float = 10.0) -> None:
        """Let the event in hand finish (up to ``grace`` seconds), then stop."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

"""The WhatsApp inbox processor: hands each event the webhook stored, once, to the bot.

* **Fair.** Events are claimed from the inbox as they arrive and queued per person; each
  person has a task of their own that handles their events in order and then sends their
  owed replies. Nothing waits for a batch: one person's wait (for WhatsApp's per-person
  pacing, an outage, a slow handler) holds up only that person.
* **Polite under a flood.** A person with :data:`FLOOD_BACKLOG` messages waiting writes
  faster than they can be answered (WhatsApp lets a business send one person about one
  message in 6 s after a short burst): what they send meanwhile is skipped (marked done,
  saying why),
  and they get one short "pelan-pelan ya" note (at most one per :data:`FLOOD_NOTE_EVERY`),
  as on Telegram (``handlers/telegram/updates.py``). Until then, people who write fast share
  :data:`BUSY_HANDLING` places, so they cannot take the database's time from the others.
* **Answered once.** The handler returns the replies it owes; they are stored in the
  transaction that marks the event done (``storage/whatsapp_replies.py``), and only then
  sent (:class:`~handlers.whatsapp.replies.OwedReplies`). An event left "processing" by a
  stop or a failed commit has sent nothing, so handling it again after the restart answers
  it once.
* **Retries.** A handler failure is retried: ``RetryLater`` after its own delay or the
  backoff, whichever is longer (capped), and never given up; any other error with backoff,
  parked as failed after ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.clock import system_clock
from bot.core.errors import RetryLater
from bot.core.whatsapp_ports import InboxQueue, ReplyLedger
from bot.core.whatsapp_records import InboxEvent
from handlers.whatsapp import events
from handlers.whatsapp.replies import OwedReplies, Reply

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Handle = Callable[[events.Event], Awaitable[Sequence[Reply] | None]]
FloodNote = Callable[[str], Awaitable[Reply | None]]

# Messages of one person waiting to be handled before the person counts as flooding.
FLOOD_BACKLOG = 8
# A person with more messages than this within BUSY_WINDOW is busy: their events are handled
# BUSY_HANDLING at a time for all busy people together, so a few fast senders share a small
# part of the database's time and the others keep the rest.
BUSY = 6
BUSY_WINDOW = timedelta(seconds=10)
BUSY_HANDLING = 2
# A flooding person is told to slow down at most once in this long.
FLOOD_NOTE_EVERY = timedelta(minutes=1)
FLOOD_SKIPPED = "skipped: the person wrote faster than answers could go (told to slow down)"
HANDLING = 32  # events handled at once (sends and their pacing waits are not counted)
MAX_PEOPLE = 2048  # people with events in memory; beyond, events wait in the inbox
RETRY_CEILING = timedelta(minutes=5)
DISPATCH_GAP = 0.02  # seconds between two claims at most, so a flood is claimed in batches
KEEP_REPLIES = timedelta(days=7)


@dataclass
class _Person:
    """One person's claimed events, handled in order by their own task."""

    queue: deque[InboxEvent] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None
    note: bool = False  # a "pelan-pelan" note is owed
    arrived: deque[datetime] = field(default_factory=deque)  # messages within BUSY_WINDOW

    def messages_waiting(self) -> int:
        return sum(1 for e in self.queue if e.kind == "message")

    def busy(self, now: datetime) -> bool:
        """Whether the person wrote more than :data:`BUSY` messages lately."""
        while self.arrived and now - self.arrived[0] >= BUSY_WINDOW:
            self.arrived.popleft()
        return len(self.arrived) > BUSY


class InboxProcessor:
    """Hand each stored event to ``handle`` once, person by person, and send what it owes."""

    def __init__(
        self,
        inbox: InboxQueue,
        handle: Handle,
        *,
        replies: ReplyLedger | None = None,
        owed: OwedReplies | None = None,
        flood_note: FloodNote | None = None,
        on_answered: Callable[[events.Event], None] | None = None,
        now: Clock = system_clock,
        batch: int = 256,
        max_attempts: int = 5,
        backoff: timedelta = timedelta(seconds=30),
    ) -> None:
        self._inbox = inbox
        self._handle = handle
        self._replies = replies
        self._owed = owed
        self._flood_note = flood_note
        self.on_answered = on_answered  # told after an event's replies were sent (tests)
        self._now = now
        self._batch = batch
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._people: dict[str, _Person] = {}
        self._noted: dict[str, datetime] = {}
        self._handling = asyncio.Semaphore(HANDLING)
        self._busy_handling = asyncio.Semaphore(BUSY_HANDLING)
        self._wake = asyncio.Event()
        self.recovered = asyncio.Event()  # set once a start has requeued what a stop cut off
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look at the inbox now (pass this as the webhook's ``on_stored``)."""
        self._wake.set()

    async def process_once(self) -> int:
        """Take the events due now, handle them and send what is owed; return how many were
        claimed. Waits until every person's task is idle (tests and one-shot commands)."""
        claimed = await self.dispatch()
        await self.idle()
        return claimed

    async def idle(self) -> None:
        """Wait until no person's events are being handled or replies sent."""
        while tasks := [p.task for p in self._people.values() if p.task is not None]:
            await asyncio.gather(*tasks, return_exceptions=True)

    def backlog(self, who: str) -> int:
        """How many of the person's events are claimed and not handled yet."""
        person = self._people.get(who)
        return len(person.queue) if person is not None else 0

    async def dispatch(self) -> int:
        """Queue the events due now to their people; start a task for each person with work.

        Does not wait for them: a person's wait never holds up the next claim.
        """
        claimed: list[InboxEvent] = []
        if len(self._people) < MAX_PEOPLE:
            claimed = await self._inbox.claim(self._batch, self._now())
        skipped: list[int] = []
        now = self._now()
        busy: dict[str, None] = {}  # in order: the longest waiting starts first
        for stored in claimed:
            who = stored.wa_id or stored.bsuid or f"event:{stored.id}"
            person = self._people.setdefault(who, _Person())
            if stored.kind == "message":
                if person.messages_waiting() >= FLOOD_BACKLOG:
                    skipped.append(stored.id)
                    if self._flooding(who, person):
                        busy[who] = None
                    continue
                person.arrived.append(now)
            person.queue.append(stored)
            busy[who] = None
        if skipped:
            await self._inbox.skip(skipped, FLOOD_SKIPPED, now)
        if self._replies is not None and self._owed is not None:
            busy.update(dict.fromkeys(await self._replies.due_people(now)))
        for who in busy:
            person = self._people.setdefault(who, _Person())
            if person.task is None:
                person.task = asyncio.create_task(self._serve(who, person))
        self._forget_quiet(now)
        return len(claimed)

    def _flooding(self, who: str, person: _Person) -> bool:
        """Owe the person one note, unless they had one within the last minute; whether so."""
        now = self._now()
        if len(self._noted) > 1_000:  # bounded: only people noted within the last minute
            self._noted = {k: t for k, t in self._noted.items() if now - t < FLOOD_NOTE_EVERY}
        last = self._noted.get(who)
        if last is not None and now - last < FLOOD_NOTE_EVERY:
            return False
        self._noted[who] = now
        person.note = True
        logger.warning("a WhatsApp sender is flooding the bot: skipping their new messages")
        return True

    def _forget_quiet(self, now: datetime) -> None:
        """Drop idle people whose last message left the flood window (bounded memory)."""
        for who, person in list(self._people.items()):
            idle = person.task is None and not person.queue and not person.note
            if idle and (not person.arrived or now - person.arrived[-1] >= BUSY_WINDOW):
                del self._people[who]

    async def _serve(self, who: str, person: _Person) -> None:
        """Handle the person's events in order, sending what each owes before the next."""
        try:
            while not self._stopping:
                handled = None
                if person.queue:
                    busy = person.busy(self._now())
                    handled = await self._process(person.queue.popleft(), busy=busy)
                if person.note:
                    person.note = False
                    await self._note(who)
                await self._send_owed(who)
                if handled is not None and self.on_answered is not None:
                    self.on_answered(handled)
                if not person.queue and not person.note:
                    return
            if person.queue:  # left 'processing'; the next start requeues them
                logger.info("stopping with %d claimed inbox events unhandled", len(person.queue))
        except Exception:
            logger.exception("a WhatsApp inbox task failed; its events are handled later")
        finally:
            person.task = None
            if person.queue or person.note:
                self._wake.set()  # handed more while stopping its loop: start it again

    async def _send_owed(self, who: str) -> None:
        if self._owed is not None and not who.startswith("event:"):
            await self._owed.send(who)

    async def _note(self, who: str) -> None:
        if self._flood_note is None or self._replies is None or who.startswith("event:"):
            return
        note = await self._flood_note(who)
        if note is not None:
            await self._replies.answer(None, [note.stored()], self._now())

    async def _process(self, stored: InboxEvent, *, busy: bool = False) -> events.Event:
        """Handle one event and store what it owes with its "done"; the event."""
        event = events.decode(stored.kind, stored.payload)
        async with self._busy_handling if busy else contextlib.nullcontext(), self._handling:
            try:
                owed = await self._handle(event)
            except Exception as exc:
                await self._failed(stored, exc)
                return event
            try:
                if self._replies is not None:
                    rows = [reply.stored() for reply in owed or ()]
                    await self._replies.answer(stored.id, rows, self._now())
                else:
                    await self._inbox.done(stored.id, self._now())
            except Exception as exc:  # nothing was sent: handle it again after a backoff
                logger.exception("inbox event %d could not be recorded as answered", stored.id)
                await self._retry(stored, exc)
        return event

    async def _retry(self, stored: InboxEvent, exc: Exception) -> None:
        """Queue an event whose "done" could not be stored again (never parked: it was
        handled); if even that fails, the next start requeues it."""
        retry_at = self._now() + min(self._backoff * 2 ** (stored.attempts - 1), RETRY_CEILING)
        try:
            await self._inbox.failed(stored.id, type(exc).__name__, retry_at)
        except Exception:
            logger.exception("inbox event %d: its failure could not be recorded", stored.id)

    async def _failed(self, stored: InboxEvent, exc: Exception) -> None:
        """Put a failed event back: after its own delay if it asked for one, never parked."""
        backoff = self._backoff * 2 ** (stored.attempts - 1)
        retry_at: datetime | None = None
        if isinstance(exc, RetryLater):
            retry_at = self._now() + max(exc.delay, min(backoff, RETRY_CEILING))
        elif stored.attempts < self._max_attempts:
            retry_at = self._now() + backoff
        logger.warning(
            "inbox event %d (%s) failed on attempt %d%s",
            stored.id,
            stored.kind,
            stored.attempts,
            "" if retry_at else "; parked as failed",
            exc_info=not isinstance(exc, RetryLater),
        )
        try:
            await self._inbox.failed(stored.id, type(exc).__name__, retry_at)
        except Exception:
            logger.exception("inbox event %d: its failure could not be recorded", stored.id)

    async def run(self) -> None:
        """Process until stopped: whenever woken, and when a retry or a reply falls due."""
        requeued = await self._inbox.requeue_interrupted()
        if requeued:
            logger.info("requeued %d inbox events interrupted by a stop", requeued)
        if self._replies is not None:
            uncertain = await self._replies.requeue_interrupted()
            if uncertain:
                logger.warning("%d WhatsApp replies were in flight at the last stop", uncertain)
            await self._replies.prune(self._now() - KEEP_REPLIES)
        self.recovered.set()
        last = -DISPATCH_GAP
        while not self._stopping:
            gap = last + DISPATCH_GAP - asyncio.get_running_loop().time()
            if gap > 0:  # a flood wakes us for every message: take them a few at a time
                await asyncio.sleep(gap)
                if self._stopping:  # stop() woke us meanwhile: clearing _wake would lose it
                    break
            last = asyncio.get_running_loop().time()
            self._wake.clear()
            try:
                if await self.dispatch() == self._batch:
                    await asyncio.sleep(0)
                    continue
            except Exception:  # the database, not an event: wait and try again
                logger.exception("the WhatsApp inbox could not be read; trying again soon")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._backoff.total_seconds())
                continue
            await self._sleep()

    async def _sleep(self) -> None:
        dues = [await self._inbox.next_due()]
        if self._replies is not None:
            dues.append(await self._replies.next_due())
        due = min((d for d in dues if d is not None), default=None)
        timeout = None if due is None else (due - self._now()).total_seconds()
        if timeout is not None and timeout <= 0:  # a running person's task has it in hand
            timeout = 1.0
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def start(self) -> None:
        """Run in the background."""
        if self._task is None:
            self._stopping = False
            self.recovered.clear()
            self._task = asyncio.create_task(self.run(), name="whatsapp-inbox")

    async def stop(self, grace: float = 10.0) -> None:
        """Let the events in hand finish (up to ``grace`` seconds), then stop."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        tasks = [self._task, *(p.task for p in self._people.values() if p.task is not None)]
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self._task = None

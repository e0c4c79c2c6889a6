"""Delivery: send due outbox rows through each recipient's channel, paced, at least once.

Every message the bot sends on its own initiative is an outbox row first (see
``storage/outbox.py``). :class:`DeliveryService` drains the rows that are due:

* **Building.** A row stores ids, not text. At send time the builder of its kind turns it
  into a :class:`~bot.core.notices.Notice` from current data, or None when it no longer
  applies (an offer already taken, a reminder for a session that has started); the row is
  then ``skipped``. What a send changes (a daily tip recorded as sent) is recorded by the
  kind's ``after_sent`` hook once the channel has accepted it, never before.
* **Channels.** The notice goes through the :class:`~bot.core.ports.Channel` of the
  recipient. Channels raise only the delivery errors of :mod:`bot.core.errors`:
  ``RetryLater`` puts the row back after its delay (one with no delay is a passing fault,
  retried with exponential backoff up to ``MAX_ATTEMPTS``); ``Unreachable`` marks the person
  unreachable, and later rows to them are ``skipped`` until they write again; ``Rejected``
  and ``OutsideWindow`` fail the row, logged.
* **Waking up.** The database is the source of truth; a :class:`~bot.core.ports.Waker`
  (a scheduler job per due time, at the edge) runs :meth:`DeliveryService.drain` when rows
  fall due. Each channel has its own lane of ``WORKERS`` workers that claim only rows of
  recipients that channel reaches, one row at a time, so a slow channel (Telegram's 30/s)
  never holds up another (WhatsApp's 80/s); one recipient's rows go one after another.
* **Crashes: at-least-once.** A row is ``sending`` only while its send is in flight. If the
  process dies then, nobody knows whether it arrived; at start-up such rows go back to
  ``pending`` with ``interrupted`` counted and are sent again. A possible duplicate was
  chosen over a lost reminder; ``dodolan outbox`` reports them as uncertain, and so a row
  whose send timed out after the request went out (``RetryLater.uncertain``). Nothing marked
  ``sent`` is sent again.
* **Replies owed.** A reply reporting a committed change is a row committed with the change;
  :meth:`DeliveryService.send_now` claims and sends it at once, at reply priority. Whoever
  claims the row first (the handler or a worker) sends it; the other finds nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import OutsideWindow, Rejected, RetryLater, Unreachable
from bot.core.models import OutboxMessage, OutboxStatus, User
from bot.core.notices import ChannelName, Lane, Notice, Recipient
from bot.core.ports import Channel, Waker

logger = logging.getLogger(__name__)

WORKERS = 8
MAX_ATTEMPTS = 5

Builder = Callable[[OutboxMessage, str, datetime], Awaitable[Notice | None]]
AfterSent = Callable[[OutboxMessage, datetime], Awaitable[None]]


class OutboxStore(Protocol):
    """What delivery needs from the outbox."""

    async def claim_due(
        self,
        now: datetime,
        limit: int,
        exclude_users: Collection[int] = (),
        *,
        lane: Lane | None = None,
    ) -> list[OutboxMessage]: ...
    async def claim(self, message_id: int) -> OutboxMessage | None: ...
    async def finish(
        self,
        message_id: int,
        status: OutboxStatus,
        now: datetime,
        *,
        sent_ref: str | None = None,
        error: str | None = None,
    ) -> None: ...
    async def retry_later(
        self, message_id: int, due_at: datetime, error: str, *, uncertain: bool = False
    ) -> None: ...
    async def requeue_interrupted(self) -> int: ...
    async def pending_due_times(self) -> list[datetime]: ...


class PeopleStore(Protocol):
    """What delivery needs to know about recipients."""

    async def get(self, user_id: int) -> User | None: ...
    async def is_unreachable(self, user_id: int) -> bool: ...
    async def blocked_the_bot(self, user_id: int) -> None: ...


class IdentityStore(Protocol):
    """Which channels reach a user, with their id on each."""

    async def channels(self, user_id: int) -> dict[ChannelName, str]: ...


class DueTimes:
    """Tells whoever listens (the running delivery) when a newly promised message falls due.

    The outbox repository is given this object's ``notify`` when it is made; the delivery
    runner listens while it runs.
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[datetime], None]] = []

    def listen(self, listener: Callable[[datetime], None]) -> None:
        """Be told each due time from now on."""
        self._listeners.append(listener)

    def stop_listening(self, listener: Callable[[datetime], None]) -> None:
        """Be told no more."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, due: datetime) -> None:
        """A message was queued that falls due at ``due``."""
        for listener in list(self._listeners):
            listener(due)


class NowWaker:
    """A waker for when no scheduler runs: it only records that delivery is wanted."""

    def __init__(self) -> None:
        self.wanted = asyncio.Event()

    def wake_at(self, due: datetime) -> None:
        """Note that delivery is wanted (the caller drains when it likes)."""
        self.wanted.set()


@dataclass
class Builders:
    """The notice builder of every outbox kind, and what to record after a kind is sent."""

    build: dict[str, Builder] = field(default_factory=dict)
    after_sent: dict[str, AfterSent] = field(default_factory=dict)

    def add(self, kind: str, builder: Builder, after_sent: AfterSent | None = None) -> None:
        """Register the builder of ``kind``; a kind has exactly one."""
        if kind in self.build:
            raise ValueError(f"outbox kind {kind!r} has a builder already")
        self.build[kind] = builder
        if after_sent is not None:
            self.after_sent[kind] = after_sent


class DeliveryService:
    """Sends due outbox rows through the recipients' channels."""

    def __init__(
        self,
        outbox: OutboxStore,
        people: PeopleStore,
        builders: Builders,
        channels: Mapping[ChannelName, Channel],
        now: Clock,
        waker: Waker | None = None,
        identities: IdentityStore | None = None,
    ) -> None:
        self._outbox = outbox
        self._identities = identities
        self._people = people
        self._builders = builders
        self._channels = channels  # read at each drain: a registry may gain a channel
        self._now = now
        self.waker: Waker = waker or NowWaker()
        self._drain_lock = asyncio.Lock()
        self._claim_lock = asyncio.Lock()
        self._in_flight: set[int] = set()
        self.stopping = False

    async def start(self) -> None:
        """Requeue sends a stop interrupted and wake up at every pending due time."""
        requeued = await self._outbox.requeue_interrupted()
        if requeued:
            logger.warning("%d message(s) were in flight at the last stop; re-sending", requeued)
        for due in await self._outbox.pending_due_times():
            self.waker.wake_at(due)

    def lanes(self) -> list[Lane]:
        """One lane per channel, in the order recipients are reached, and one for the rest."""
        order = list(self._channels)
        lanes: list[Lane] = [(c, tuple(order[:i])) for i, c in enumerate(order)]
        return [*lanes, (None, tuple(order))]

    async def drain(self) -> int:
        """Send every row due now: ``WORKERS`` parallel workers per channel (so one
        channel's limits never hold up another's), one for rows nobody can be reached for."""
        async with self._drain_lock:
            workers = [
                self._worker(lane)
                for lane in self.lanes()
                for _ in range(WORKERS if lane[0] is not None else 1)
            ]
            counts = await asyncio.gather(*workers)
        return sum(counts)

    async def send_now(self, message_id: int) -> None:
        """Send one row as a reply, now, unless a worker has taken it already."""
        message = await self._outbox.claim(message_id)
        if message is not None:
            await self._handle(message, bulk=False)

    async def _worker(self, lane: Lane) -> int:
        """Claim one due row of ``lane`` at a time (none for a recipient in flight)."""
        handled = 0
        while not self.stopping:
            async with self._claim_lock:
                claimed = await self._outbox.claim_due(
                    self._now(), 1, exclude_users=self._in_flight, lane=lane
                )
                if not claimed:
                    return handled
                (message,) = claimed
                self._in_flight.add(message.user_id)
            try:
                await self._handle(message, bulk=True)
            finally:
                self._in_flight.discard(message.user_id)
            handled += 1
        return handled

    async def _handle(self, message: OutboxMessage, *, bulk: bool) -> None:
        """Deliver one claimed row; whatever goes wrong, record an outcome for it."""
        try:
            await self._deliver(message, bulk=bulk)
        except Exception as exc:  # one bad row must not stop the others
            logger.exception("outbox message %s could not be handled", message.id)
            await self._outbox.finish(
                message.id, OutboxStatus.FAILED, self._now(), error=type(exc).__name__
            )

    async def _deliver(self, message: OutboxMessage, *, bulk: bool) -> None:
        now = self._now()
        recipient = await self._recipient(message.user_id)
        if recipient is None:
            await self._outbox.finish(message.id, OutboxStatus.SKIPPED, now, error="unreachable")
            return
        notice = await self._build(message, recipient.language, now)
        if notice is None:
            await self._outbox.finish(
                message.id, OutboxStatus.SKIPPED, now, error="no longer applies"
            )
            return
        channel = self._channels[recipient.channel]
        try:
            sent = await channel.send(recipient, notice, bulk=bulk)
        except RetryLater as exc:
            await self._retry(message, exc, now)
        except Unreachable as exc:
            await self._people.blocked_the_bot(message.user_id)
            await self._outbox.finish(message.id, OutboxStatus.FAILED, now, error=exc.reason)
        except (Rejected, OutsideWindow) as exc:
            logger.error("outbox message %s rejected: %s", message.id, exc.reason)
            await self._outbox.finish(message.id, OutboxStatus.FAILED, now, error=exc.reason)
        else:
            await self._follow_ups(channel, recipient, message, notice, bulk=bulk)
            after = self._builders.after_sent.get(message.kind)
            if after is not None:
                await after(message, now)
            await self._outbox.finish(message.id, OutboxStatus.SENT, now, sent_ref=sent.message_id)

    async def _recipient(self, user_id: int) -> Recipient | None:
        """Where the user is reached now; None if they cannot be."""
        user = await self._people.get(user_id)
        if user is None or await self._people.is_unreachable(user_id):
            return None
        known = await self._identities.channels(user_id) if self._identities else {}
        for channel in self._channels:  # in the order the assembly prefers them
            if channel in known:
                return Recipient(user_id, channel, known[channel], user.language)
        return None

    async def _build(self, message: OutboxMessage, language: str, now: datetime) -> Notice | None:
        builder = self._builders.build.get(message.kind)
        if builder is None:
            logger.error("outbox message %s has unknown kind %s", message.id, message.kind)
            return None
        return await builder(message, language, now)

    async def _retry(self, message: OutboxMessage, exc: RetryLater, now: datetime) -> None:
        """Put the row back: after the channel's delay, or with backoff after a fault."""
        delay = exc.delay
        if delay <= timedelta(0):  # a passing fault (network, 5xx): a bounded number of tries
            if message.attempts >= MAX_ATTEMPTS:
                await self._outbox.finish(message.id, OutboxStatus.FAILED, now, error=exc.reason)
                return
            delay = timedelta(seconds=2**message.attempts)
        await self._outbox.retry_later(
            message.id, now + delay, exc.reason, uncertain=exc.uncertain
        )
        self.waker.wake_at(now + delay)

    async def _follow_ups(
        self,
        channel: Channel,
        recipient: Recipient,
        message: OutboxMessage,
        notice: Notice,
        *,
        bulk: bool,
    ) -> None:
        """Send what follows the main message; a failure there does not undo the main one."""
        for follow_up in notice.follow_ups:
            try:
                await channel.send(recipient, follow_up, bulk=bulk)
            except (RetryLater, Unreachable, Rejected, OutsideWindow) as exc:
                logger.warning("outbox message %s: a follow-up was not sent: %s", message.id, exc)

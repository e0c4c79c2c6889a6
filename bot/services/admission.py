"""Admission in a launch rush: when replies would queue, newcomers wait their turn, told so.

When the bot is too busy to answer everyone within a couple of seconds, a newcomer's first
contact is not answered with a silent wait: they are told their place in the queue and how
long it will take at most, and their welcome is an outbox row (``signup_welcome``) that the
edge sends, oldest first, as soon as there is room, so the queue survives a restart and
nobody is welcomed twice. The edge decides *when* the bot is busy (it knows the channel's
pacing); this service keeps the queue and its promises.

**The promise.** How fast the queue moves is measured, not assumed: every welcome the edge
sends is noted, and the rate is the welcomes of the last :data:`RATE_WINDOW` over the time
since the window's start or the rush's first welcome, whichever is later. A newcomer at
place *p* is promised ``LEAD + p × seconds per welcome × MARGIN``, rounded up to whole
minutes. Before enough welcomes are measured the queue may not have moved at all yet (those
already in a conversation hold the sending budget until they finish), so the promise is then
``FLOOR_LEAD + p × FLOOR_SECONDS_PER_WELCOME × MARGIN``. The promised moment is stored on
the queue row (``promised_by``), so it survives a restart.

**A slip.** Should that moment pass without a welcome, :meth:`Admission.slipped` makes one
new promise from the rate measured now and queues it as an outbox row of its own kind
(``admission_slip``, the new moment in its params), at most once per :data:`SLIP_INTERVAL`
for each person. :class:`SlipNotices` builds it at send time (the place then, the minutes to
the moment) and, only once the channel accepted it, :meth:`Admission.told` makes the new
moment the welcome's promise and notes ``renoticed_at``: a slip notice that could not be
sent promises nothing, and is tried again after the interval.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.models import OutboxMessage, OutboxStatus
from bot.core.notices import Notice, NoticeKind
from bot.core.ports import ProfileReader, UnitOfWork
from bot.core.repositories import WelcomeQueue
from bot.i18n import Catalog
from bot.services import owner_screens, signup
from bot.services.delivery import Builders
from bot.services.dialogs import DialogService

WELCOME = NoticeKind.SIGNUP_WELCOME
SLIP = NoticeKind.ADMISSION_SLIP  # {promised_by}: slower than promised, and the new moment
# Sent before announcements and daily tips, after offers and replies owed since a crash.
WELCOME_PRIORITY = 3
# The edge admits waiting newcomers as room frees up; should it not (it stopped, say), the
# outbox sender sends a welcome anyway this long after it was queued.
WELCOME_FALLBACK = timedelta(minutes=10)
# What one owner's sign-up and booking costs the bot at best, in seconds of its sending
# budget (14 calls at 29.5 per second): the queue never moves faster than this.
SECONDS_PER_OWNER = 14 / 29.5
# The rate of welcomes is measured over this window, once it holds this many welcomes over
# at least this long. Before that, a welcome is assumed to take FLOOR_SECONDS_PER_WELCOME
# (the rushes of benchmarks/launch_rush.py moved at 0.6-0.9 s), after FLOOR_LEAD in which
# the queue may not move at all: the first queued of a 300-owner rush waited up to 77 s
# for the first welcome, while the owners admitted before them were signing up.
RATE_WINDOW = timedelta(seconds=60)
RATE_MIN_WELCOMES = 5
RATE_MIN_SPAN = timedelta(seconds=15)
FLOOR_SECONDS_PER_WELCOME = 1.0
FLOOR_LEAD = timedelta(seconds=75)
# The promise is an upper bound: the measured time per welcome is stretched by MARGIN, and
# LEAD covers the welcome's own way out (it waits for Telegram's budget like any reply).
MARGIN = 1.4
LEAD = timedelta(seconds=15)
# A person whose promised moment passed is told again at most this often.
SLIP_INTERVAL = timedelta(minutes=1)
# How often the queue is read to find slipped promises.
SLIP_CHECK_EVERY = timedelta(seconds=5)
# A slip notice goes ahead of the welcomes it talks about.
SLIP_PRIORITY = 2

PROMISED = "promised_by"
RENOTICED = "renoticed_at"  # when the last slip notice was sent (recorded after the send)
SLIP_QUEUED = "slip_queued_at"  # when the last slip notice was queued


@dataclass(frozen=True)
class Place:
    """Where someone waits in the queue and within how many minutes they will be welcomed."""

    user_id: int
    place: int
    minutes: int
    notice_id: int | None = None  # the outbox row telling them so, if one was queued


def slip_ref(user_id: int) -> str:
    """The outbox ``ref`` of a newcomer's slip notices."""
    return f"slip:{user_id}"


def welcome_ref(user_id: int) -> str:
    """The outbox ``ref`` of a newcomer's queued welcome."""
    return f"welcome:{user_id}"


def minutes_for(seconds: float) -> int:
    """Whole minutes, at least one, that cover ``seconds``."""
    return max(1, math.ceil(seconds / 60))


class WelcomeRate:
    """Welcomes per second over a sliding window, from the injected clock."""

    def __init__(self) -> None:
        self._welcomes: deque[datetime] = deque()
        self._first: datetime | None = None  # the first welcome since the queue was empty

    def emptied(self) -> None:
        """Nobody waits any more: an idle queue says nothing about the next rush's pace."""
        self._welcomes.clear()
        self._first = None

    def welcomed(self, now: datetime) -> None:
        """One waiting newcomer was welcomed at ``now``."""
        if self._first is None:
            self._first = now
        self._welcomes.append(now)

    def per_second(self, now: datetime) -> float | None:
        """Welcomes per second since the queue began to move, or None before enough were
        measured (the wait before the first welcome is the floor's to cover)."""
        start = now - RATE_WINDOW
        while self._welcomes and self._welcomes[0] < start:
            self._welcomes.popleft()
        if self._first is not None:
            start = max(start, self._first)
        span = (now - start).total_seconds()
        if len(self._welcomes) < RATE_MIN_WELCOMES or span < RATE_MIN_SPAN.total_seconds():
            return None
        return len(self._welcomes) / span


class Admission:
    """The queue of newcomers waiting for their welcome, and what each was promised."""

    def __init__(self, db: UnitOfWork, outbox: WelcomeQueue, now: Clock) -> None:
        self._db, self._outbox, self._now = db, outbox, now
        self.rate = WelcomeRate()
        self._next_check: datetime | None = None

    async def waiting(self) -> int:
        """How many newcomers are waiting for their welcome."""
        return await self._outbox.count_pending(WELCOME)

    def seconds_for(self, place: int) -> float:
        """An upper bound of the seconds until the newcomer at ``place`` is welcomed."""
        rate = self.rate.per_second(self._now())
        if rate is None:
            return FLOOR_LEAD.total_seconds() + place * FLOOR_SECONDS_PER_WELCOME * MARGIN
        return LEAD.total_seconds() + place * max(SECONDS_PER_OWNER, 1 / rate) * MARGIN

    async def queue(self, user_id: int, name: str) -> Place:
        """Queue the newcomer's welcome (once); return their place and the minutes promised."""
        now = self._now()
        queued = await self._outbox.queued_of(WELCOME)
        for place, message in enumerate(queued, 1):
            if message.user_id == user_id:
                return await self._kept_or_renewed(message, place, now)
        params: dict[str, Any] = {"name": name}
        async with self._db.transaction() as tx:
            message_id = await self._outbox.enqueue(
                tx,
                user_id,
                WELCOME,
                params,
                now + WELCOME_FALLBACK,
                now,
                WELCOME_PRIORITY,
                welcome_ref(user_id),
            )
        place = await self._outbox.count_pending(WELCOME, up_to_id=message_id)
        return await self._promise(message_id, user_id, params, place, now)

    async def next_waiting(self) -> int | None:
        """The outbox id of the welcome of whoever has waited longest, if anyone waits."""
        message_id = await self._outbox.first_pending(WELCOME)
        if message_id is None:
            self.rate.emptied()
        return message_id

    def welcomed(self) -> None:
        """Note that the edge has just welcomed one waiting newcomer (the queue's pace)."""
        self.rate.welcomed(self._now())

    async def slipped(self) -> list[Place]:
        """Queue a new promise to each newcomer whose promised moment passed (at most once
        per :data:`SLIP_INTERVAL`, none while one is on its way); checked at most every
        :data:`SLIP_CHECK_EVERY`. Each place returned carries its notice's outbox id."""
        now = self._now()
        if self._next_check is not None and now < self._next_check:
            return []
        self._next_check = now + SLIP_CHECK_EVERY
        on_their_way = {m.user_id for m in await self._outbox.queued_of(SLIP)}
        renewed: list[Place] = []
        for place, message in enumerate(await self._outbox.queued_of(WELCOME), 1):
            if message.user_id not in on_their_way and _slipped(message, now):
                queued = await self._queue_slip(message, place, now)
                if queued is not None:
                    renewed.append(queued)
        return renewed

    async def slip_place(self, notice: OutboxMessage, now: datetime) -> Place | None:
        """What a slip notice says at send time: the newcomer's place now and the minutes to
        its new moment; None if they no longer wait (welcomed, or served another way)."""
        promised = _moment(notice.params.get(PROMISED))
        for place, message in enumerate(await self._outbox.queued_of(WELCOME), 1):
            if message.user_id == notice.user_id and promised is not None:
                left = (promised - now).total_seconds()
                return Place(notice.user_id, place, minutes_for(left), notice.id)
        return None

    async def told(self, notice: OutboxMessage, now: datetime) -> None:
        """A slip notice was sent: its moment is now the newcomer's promise."""
        for message in await self._outbox.queued_of(WELCOME):
            if message.user_id == notice.user_id:
                stored = {**message.params, RENOTICED: now.isoformat()}
                stored[PROMISED] = notice.params.get(PROMISED, stored.get(PROMISED))
                async with self._db.transaction() as tx:
                    await self._outbox.set_params(tx, message.id, stored)

    async def _queue_slip(self, message: OutboxMessage, place: int, now: datetime) -> Place | None:
        """Queue the notice of a new promise to the newcomer at ``place``; None if their
        welcome is no longer pending."""
        minutes = minutes_for(self.seconds_for(place))
        moment = (now + timedelta(minutes=minutes)).isoformat()
        async with self._db.transaction() as tx:
            if not await self._outbox.set_params(
                tx, message.id, {**message.params, SLIP_QUEUED: now.isoformat()}
            ):
                return None
            notice_id = await self._outbox.enqueue(
                tx,
                message.user_id,
                SLIP,
                {PROMISED: moment},
                now,
                now,
                SLIP_PRIORITY,
                slip_ref(message.user_id),
            )
        return Place(message.user_id, place, minutes, notice_id)

    async def withdraw(self, user_id: int) -> None:
        """Drop a queued welcome (the newcomer was served another way)."""
        async with self._db.transaction() as tx:
            await self._outbox.cancel_ref(tx, welcome_ref(user_id))

    async def _kept_or_renewed(self, message: OutboxMessage, place: int, now: datetime) -> Place:
        """Someone asks again: the promise they hold, or a new one if it has passed."""
        promised = _moment(message.params.get(PROMISED))
        if promised is not None and promised > now:
            left = (promised - now).total_seconds()
            return Place(message.user_id, place, minutes_for(left))
        fresh = await self._promise(
            message.id, message.user_id, message.params, place, now, renotice=True
        )
        return fresh if fresh.minutes else Place(message.user_id, place, 1)

    async def _promise(
        self,
        message_id: int,
        user_id: int,
        params: dict[str, Any],
        place: int,
        now: datetime,
        *,
        renotice: bool = False,
    ) -> Place:
        """Store what the newcomer at ``place`` is promised; minutes 0 if the row has gone."""
        minutes = minutes_for(self.seconds_for(place))
        stored = {**params, PROMISED: (now + timedelta(minutes=minutes)).isoformat()}
        if renotice:
            stored[RENOTICED] = now.isoformat()
        async with self._db.transaction() as tx:
            kept = await self._outbox.set_params(tx, message_id, stored)
        return Place(user_id, place, minutes if kept else 0)


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _slipped(message: OutboxMessage, now: datetime) -> bool:
    """Whether a waiting newcomer's promised moment passed and they were not told (or a
    notice queued for them) lately."""
    promised = _moment(message.params.get(PROMISED))
    if message.status is not OutboxStatus.PENDING or promised is None or promised > now:
        return False
    for key in (RENOTICED, SLIP_QUEUED):
        lately = _moment(message.params.get(key))
        if lately is not None and lately + SLIP_INTERVAL > now:
            return False
    return True


def welcome_notice(catalog: Catalog, language: str, name: str) -> Notice:
    """The first message a newcomer gets: the greeting and the consent question, in one."""
    greeting = catalog.text(language, "start.welcome", name=name)
    return owner_screens.with_lead(greeting, owner_screens.consent(catalog, language))


class WelcomeNotices:
    """Builds a queued welcome when it is sent, on whichever channel queued it."""

    def __init__(self, catalog: Catalog, owners: ProfileReader, dialogs: DialogService) -> None:
        self.catalog, self.owners, self.dialogs = catalog, owners, dialogs

    def register(self, builders: Builders) -> None:
        """Add the welcome's builder."""
        builders.add(WELCOME, self.welcome)

    async def welcome(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The welcome, unless the newcomer has moved on (signed up, or past consent)."""
        if await self.owners.get(message.user_id) is not None:
            return None
        dialog = await self.dialogs.current(message.user_id)
        if dialog is None or dialog.flow != signup.FLOW or dialog.step != signup.CONSENT:
            return None
        name = str(message.params.get("name") or "")
        return replace(welcome_notice(self.catalog, lang, name), kind=WELCOME)


class SlipNotices:
    """Builds a slip notice when it is sent, and records it as told once it was."""

    def __init__(self, catalog: Catalog, admission: Admission) -> None:
        self.catalog, self.admission = catalog, admission

    def register(self, builders: Builders) -> None:
        """Add the slip notice's builder and what its sending records."""
        builders.add(SLIP, self.slip, self.admission.told)

    async def slip(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """Sorry, the new place and minutes; unless the newcomer no longer waits."""
        place = await self.admission.slip_place(message, now)
        if place is None:
            return None
        text = self.catalog.text(
            lang, "admission.slipped", place=place.place, minutes=place.minutes
        )
        return Notice(text, kind=SLIP)

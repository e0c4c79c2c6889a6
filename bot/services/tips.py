"""Tips that fit each owner: choosing without repeats, feedback, daily tips, preparation series.

**Choosing.** A tip fits an owner when its category, marketplace and level tags match the
profile (no profile: general beginner tips only). Tips the owner has not seen come first,
those written for the owner's kind of business first, then the most specific, in an order
shuffled per owner; once all that fit have been seen,
the one seen longest ago comes back.

**Daily tips** live in the outbox as a chain: subscribing queues one ``daily_tip`` row (ref
``tips:<user id>``) for the next slot; when the sender renders that row, :meth:`take_daily`
picks the tip, records it and queues the next slot in one transaction. ``tips_daily`` has
one row per user and local day, so a retried or re-rendered row re-uses its tip and can
never queue a second row for the same day. Nothing is due between 21.00 and 06.00.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.models import OwnerProfile, Subscription, TipCount, TipDay
from bot.core.notices import NoticeKind
from bot.core.ports import OutboxQueue, ProfileReader, TipsStore, Transaction, UnitOfWork
from bot.services.tips_content import BEGINNER, PREP, SELLING, TOPICS, Tip, TipLibrary
from bot.services.validation import NO_MARKETPLACE

DAILY_TIP = NoticeKind.DAILY_TIP
PREP_TIP = NoticeKind.PREP_TIP
SLOTS = {"morning": time(7), "midday": time(12), "evening": time(19)}
QUIET_FROM, QUIET_UNTIL = time(21), time(6)
PREP_DAYS_BEFORE = (3, 2, 1)
PREP_AT = time(12)
DAILY_PRIORITY = 7


def tips_ref(user_id: int) -> str:
    """The outbox ``ref`` of a user's daily tips."""
    return f"tips:{user_id}"


def in_quiet_hours(moment: datetime, tz: ZoneInfo) -> bool:
    """Whether ``moment`` falls between 21.00 and 06.00 local time."""
    local = moment.astimezone(tz).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def clamp_quiet(moment: datetime, tz: ZoneInfo) -> datetime:
    """Move a time inside the quiet hours to the 06.00 that ends them."""
    if not in_quiet_hours(moment, tz):
        return moment
    local = moment.astimezone(tz)
    day = local.date() + timedelta(days=1 if local.time() >= QUIET_FROM else 0)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=tz)


def next_slot(slot: str, after: datetime, tz: ZoneInfo) -> datetime:
    """The first time of ``slot`` (local) strictly after ``after``, outside the quiet hours."""
    local = after.astimezone(tz)
    due = datetime.combine(local.date(), SLOTS[slot], tzinfo=tz)
    if due <= after:
        due = datetime.combine(local.date() + timedelta(days=1), SLOTS[slot], tzinfo=tz)
    return clamp_quiet(due, tz)


def prep_schedule(starts_at: datetime, now: datetime, tz: ZoneInfo) -> list[tuple[int, datetime]]:
    """The preparation tips for a session: steps numbered from 0, due at midday before it."""
    day = starts_at.astimezone(tz).date()
    times = [
        clamp_quiet(datetime.combine(day - timedelta(days=n), PREP_AT, tzinfo=tz), tz)
        for n in PREP_DAYS_BEFORE
    ]
    return list(enumerate(t for t in times if now < t < starts_at))


@dataclass(frozen=True)
class Reader:
    """What we know about the owner reading a tip."""

    category: str | None
    marketplaces: frozenset[str]
    level: str


GENERAL = Reader(None, frozenset(), BEGINNER)


def reader_of(profile: OwnerProfile | None) -> Reader:
    """The owner's tags from sign-up; someone not signed up gets general beginner tips."""
    if profile is None:
        return GENERAL
    markets = frozenset(profile.marketplaces) - {NO_MARKETPLACE}
    return Reader(profile.category, markets, SELLING if markets else BEGINNER)


def fits(tip: Tip, reader: Reader) -> bool:
    """Whether a tip is meant for this reader (empty tags fit everyone)."""
    return (
        (not tip.categories or reader.category in tip.categories)
        and (not tip.marketplaces or bool(tip.marketplaces & reader.marketplaces))
        and tip.level in ("all", reader.level)
    )


def _specificity(tip: Tip) -> tuple[bool, int]:
    """How closely a tip is aimed: one written for the owner's kind of business first."""
    return bool(tip.categories), bool(tip.marketplaces) + (tip.level != "all")


def choose(
    tips: Sequence[Tip],
    reader: Reader,
    last_sent: dict[str, datetime],
    user_id: int,
    topic: str | None = None,
) -> Tip | None:
    """The next tip for this reader: unseen first (most specific first), else oldest seen."""
    of_topic = [t for t in tips if (t.topic == topic if topic else t.topic != PREP)]
    # Someone who picked a topic with nothing for their profile still gets that topic's tips.
    pool = [t for t in of_topic if fits(t, reader)] or (of_topic if topic else [])
    if not pool:
        return None

    def shuffle(tip: Tip) -> int:
        return zlib.crc32(f"{user_id}:{tip.id}".encode())

    unseen = [t for t in pool if t.id not in last_sent]
    if unseen:
        return max(unseen, key=lambda t: (_specificity(t), -shuffle(t)))
    return min(pool, key=lambda t: (last_sent[t.id], shuffle(t)))


@dataclass(frozen=True)
class TipStats:
    """Tips sent and their feedback, per tip and per topic."""

    per_tip: list[TipCount]
    per_topic: list[TipCount]


class TipsService:
    """Tips for owners and the numbers for staff."""

    def __init__(
        self,
        db: UnitOfWork,
        repo: TipsStore,
        owners: ProfileReader,
        outbox: OutboxQueue,
        library: TipLibrary,
        tz: ZoneInfo,
        now: Clock,
    ) -> None:
        self._db, self._repo, self._owners, self._outbox = db, repo, owners, outbox
        self._library, self._tz, self._now = library, tz, now

    async def next_tip(self, user_id: int, topic: str | None = None) -> Tip | None:
        """Choose the next tip for this user (optionally of one topic) and record it as sent."""
        if topic is not None and (topic not in TOPICS or topic == PREP):
            raise InvalidInput("tips.unknown_topic")
        tip = choose(
            await self._library.tips(),
            reader_of(await self._owners.get(user_id)),
            await self._repo.last_sent(user_id),
            user_id,
            topic,
        )
        if tip is not None:
            await self._repo.send_now(user_id, tip.id, tip.topic, "command", self._now())
        return tip

    async def topics(self) -> list[str]:
        """The topics that have tips, in the order of the topic list."""
        present = {t.topic for t in await self._library.tips()}
        return [t for t in TOPICS if t in present and t != PREP]

    async def feedback(self, user_id: int, tip_id: str, helpful: bool) -> Tip:
        """Record the user's opinion of a tip they were sent; NotAllowed for any other tip."""
        tip = await self._library.get(tip_id)
        if tip is None or not await self._repo.was_sent(user_id, tip_id):
            raise NotAllowed(user_id, "reader of this tip")
        await self._repo.give_feedback(user_id, tip_id, tip.topic, helpful, self._now())
        return tip

    async def subscription(self, user_id: int) -> Subscription | None:
        """The user's daily tip subscription, if any."""
        return await self._repo.subscription(user_id)

    async def subscribe(self, user_id: int, slot: str) -> datetime:
        """Send a daily tip at ``slot``; return when the first one comes."""
        if slot not in SLOTS:
            raise InvalidInput("input.unknown_option")
        now = self._now()
        async with self._db.transaction() as tx:
            await self._repo.save_subscription(tx, user_id, slot, True, now)
            await self._outbox.cancel_ref(tx, tips_ref(user_id))
            return await self._chain(tx, user_id, slot, now)

    async def next_daily(self, user_id: int) -> datetime | None:
        """When the user's next daily tip is due, if one is queued."""
        due = [m.due_at for m in await self._outbox.pending_for(user_id) if m.kind == DAILY_TIP]
        return min(due, default=None)

    async def pause(self, user_id: int) -> bool:
        """Stop the daily tips (the pending one too); False if there was nothing to pause."""
        sub = await self._repo.subscription(user_id)
        if sub is None or not sub.active:
            return False
        async with self._db.transaction() as tx:
            await self._repo.save_subscription(tx, user_id, sub.slot, False, self._now())
            await self._outbox.cancel_ref(tx, tips_ref(user_id))
        return True

    async def resume(self, user_id: int) -> datetime:
        """Start the daily tips again at the slot chosen before."""
        sub = await self._repo.subscription(user_id)
        if sub is None:
            raise InvalidInput("tips.daily.none")
        return await self.subscribe(user_id, sub.slot)

    async def ensure_daily(self, user_id: int) -> None:
        """Re-start a broken chain (e.g. a day skipped while the user had blocked the bot)."""
        sub = await self._repo.subscription(user_id)
        if sub is not None and sub.active and not await self._repo.has_queued_day(user_id):
            async with self._db.transaction() as tx:
                await self._chain(tx, user_id, sub.slot, self._now())

    async def take_daily(self, user_id: int, day: date) -> Tip | None:
        """Pick today's tip and queue tomorrow's, atomically; None if nothing should be sent.

        The pick is kept (``taken``), so a retry sends the same tip; that it was sent is
        recorded by :meth:`daily_sent`, once the channel has accepted it.
        """
        tips = await self._library.tips()
        reader = reader_of(await self._owners.get(user_id))
        last_sent = await self._repo.last_sent(user_id)
        sub, now = await self._repo.subscription(user_id), self._now()
        async with self._db.transaction() as tx:
            status, tip_id = await self._repo.day(tx, user_id, day)
            if status == TipDay.TAKEN:  # a retry of a send already decided: the same tip
                return next((t for t in tips if t.id == tip_id), None)
            if status != TipDay.QUEUED or sub is None or not sub.active:
                return None
            tip = (
                None if in_quiet_hours(now, self._tz) else choose(tips, reader, last_sent, user_id)
            )
            if tip is None:
                await self._repo.close_day(tx, user_id, day, TipDay.SKIPPED, None)
            else:
                await self._repo.close_day(tx, user_id, day, TipDay.TAKEN, tip.id)
            await self._chain(tx, user_id, sub.slot, now)
        return tip

    async def daily_sent(self, user_id: int, day: date) -> None:
        """Record that the day's tip reached the owner (once, however often it is called)."""
        tips = await self._library.tips()
        async with self._db.transaction() as tx:
            status, tip_id = await self._repo.day(tx, user_id, day)
            tip = next((t for t in tips if t.id == tip_id), None)
            if status != TipDay.TAKEN or tip is None:
                return
            await self._repo.close_day(tx, user_id, day, TipDay.SENT, tip.id)
            await self._repo.record_sent(tx, user_id, tip.id, tip.topic, "daily", self._now())

    async def prep_tip(self, user_id: int, step: int) -> Tip | None:
        """The ``step``-th tip of the preparation series; None past the end."""
        series = [t for t in await self._library.tips() if t.topic == PREP]
        return series[step] if 0 <= step < len(series) else None

    async def prep_sent(self, user_id: int, step: int) -> None:
        """Record that a preparation tip reached the owner."""
        tip = await self.prep_tip(user_id, step)
        if tip is not None:
            await self._repo.send_now(user_id, tip.id, tip.topic, "prep", self._now())

    async def stats(self) -> TipStats:
        """Tips sent, helpful and not helpful, per tip and per topic."""
        return TipStats(await self._repo.counts("tip"), await self._repo.counts("topic"))

    async def _chain(self, tx: Transaction, user_id: int, slot: str, now: datetime) -> datetime:
        """Queue the next free day's tip at ``slot`` (a day already served is passed over)."""
        due = next_slot(slot, now, self._tz)
        while not await self._repo.queue_day(tx, user_id, due.astimezone(self._tz).date()):
            due = next_slot(slot, due, self._tz)
        day = due.astimezone(self._tz).date().isoformat()
        await self._outbox.enqueue(
            tx, user_id, DAILY_TIP, {"day": day}, due, now, DAILY_PRIORITY, tips_ref(user_id)
        )
        return due

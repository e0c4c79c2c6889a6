"""Owners book seats; a full session has a first-come-first-served waitlist that moves itself.

Every change runs in one ``BEGIN IMMEDIATE`` transaction: the capacity check, the new row,
the seat offers it causes and the notices they need commit together, so capacity holds under
any concurrency and a crash can neither lose a seat nor offer it twice. The owner's own
confirmation is one of those notices (``BookingView.notice``, see ``bot.services.notices``),
so a crash right after the commit cannot leave them with a seat nobody told them about.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.errors import BookingRefused, NotRegistered, StaleAction
from bot.core.models import (
    ACTIVE_BOOKING,
    Booking,
    BookingStatus,
    SessionStatus,
    TrainingSession,
)
from bot.core.ports import (
    BookingStore,
    OutboxWriter,
    ProfileReader,
    SeatLedger,
    Transaction,
    UnitOfWork,
)
from bot.services import notices
from bot.services.reminders import Reminders

MIN_HOLD = timedelta(minutes=15)
WAITLIST_NOTICE_RANK = 3  # the first places of the queue hear each time it moves
PAST_SHOWN = 5  # past sessions listed in an owner's bookings; older ones are counted
OVER = "past_bookings.over"  # the refusal for a change to a booking whose session has ended
# Refusals after which the booking's card no longer offers what was tapped (edges redraw it).
NO_LONGER = ("booking.checked_in", OVER)


def offer_window(session: TrainingSession, now: datetime, hold: timedelta) -> datetime:
    """When an offer made now expires: ``hold``, shortened to a quarter of the time left."""
    remaining = session.starts_at - now
    return now + max(MIN_HOLD, min(hold, remaining / 4))


async def fill_seats(
    tx: Transaction,
    sessions: SeatLedger,
    outbox: OutboxWriter,
    session_id: int,
    now: datetime,
    hold: timedelta,
) -> list[Booking]:
    """Offer every free seat to the next people waiting; return the offers made."""
    session = await sessions.lock_session(tx, session_id)
    if session is None or session.status == SessionStatus.CANCELLED or session.starts_at <= now:
        return []
    offers: list[Booking] = []
    for _ in range(session.seats_left):
        waiting = await sessions.next_waiting(tx, session_id)
        if waiting is None:
            break
        expires = offer_window(session, now, hold)
        await sessions.set_booking_status(tx, waiting.id, BookingStatus.OFFERED, now, expires)
        await outbox.enqueue(
            tx,
            waiting.user_id,
            notices.SEAT_OFFER,
            {"booking_id": waiting.id},
            now,
            now,
            notices.PRIORITY[notices.SEAT_OFFER],
        )
        offers.append(waiting)
    if offers:
        await _tell_new_front_runners(tx, sessions, outbox, session_id, now)
    return offers


async def _tell_new_front_runners(
    tx: Transaction,
    sessions: SeatLedger,
    outbox: OutboxWriter,
    session_id: int,
    now: datetime,
) -> None:
    """Tell those now in the first places of the waitlist that they moved up."""
    waiting = [
        b
        for b in await sessions.session_active(tx, session_id)
        if b.status == BookingStatus.WAITLISTED
    ]
    for booking in waiting[:WAITLIST_NOTICE_RANK]:
        await outbox.enqueue(
            tx, booking.user_id, notices.WAITLIST_MOVED, {"booking_id": booking.id}, now, now
        )


@dataclass(frozen=True)
class BookingView:
    """An owner's booking with its session and, when waiting, their place in the queue."""

    booking: Booking
    session: TrainingSession
    rank: int | None
    notice: int | None = None  # the outbox row telling the owner of the change just made
    ended: bool = False  # the session is over: the booking is history, nothing to change


@dataclass(frozen=True)
class MyBookings:
    """An owner's bookings: what is coming (soonest first) and past sessions apart."""

    upcoming: list[BookingView]
    past: list[BookingView]  # seats in sessions that ended, the latest first
    older: int = 0  # past sessions not in ``past`` (the list is kept short)


class BookingService:
    """Book, cancel, move, and the waitlist's offers."""

    def __init__(
        self,
        db: UnitOfWork,
        sessions: BookingStore,
        owners: ProfileReader,
        outbox: OutboxWriter,
        now: Clock,
        *,
        reminders: Reminders,
        max_active: int,
        hold: timedelta,
    ) -> None:
        self._reminders = reminders
        self._db = db
        self._sessions = sessions
        self._owners = owners
        self._outbox = outbox
        self._now = now
        self._max_active = max_active
        self._hold = hold

    async def book(self, user_id: int, session_id: int, *, waitlist: bool = True) -> BookingView:
        """Take a seat, or a waitlist place when the session is full.

        With ``waitlist=False`` (the owner tapped "book a seat" on a card that was not full
        yet) a full session is refused instead, so nobody is queued without asking.
        """
        if await self._owners.get(user_id) is None:
            raise NotRegistered(user_id)
        now = self._now()
        async with self._db.transaction() as tx:
            session = await self._bookable(tx, session_id, now)
            active = await self._sessions.user_active(tx, user_id, now)
            if any(b.session_id == session_id for b in active):
                raise BookingRefused("booking.already_in_session")
            if len(active) >= self._max_active:
                raise BookingRefused("booking.limit", limit=self._max_active)
            if session.seats_left < 1 and not waitlist:
                raise BookingRefused("booking.just_filled")
            status = (
                BookingStatus.CONFIRMED if session.seats_left > 0 else BookingStatus.WAITLISTED
            )
            booking = await self._sessions.insert_booking(tx, session_id, user_id, status, now)
            kind = notices.WAITLIST_JOINED
            if status == BookingStatus.CONFIRMED:
                await self._reminders.for_booking(tx, booking.id, user_id, session, now)
                kind = notices.BOOKING_CONFIRMED
            notice = await self._tell(tx, booking, kind, now)
        return replace(await self.view(booking), notice=notice)

    async def changeable(self, user_id: int, booking_id: int) -> BookingView:
        """The owner's active booking, if they may still cancel or move it.

        StaleAction if it is not theirs or was ended; BookingRefused once its session is over
        or they were checked in (a seat someone sat in cannot be given up afterwards, and
        every view counts it).
        """
        view = await self.kept(user_id, booking_id)
        if view.booking.attended_at is not None:
            raise BookingRefused("booking.checked_in", title=view.session.title)
        return view

    async def kept(self, user_id: int, booking_id: int) -> BookingView:
        """The owner's active booking as it is (they chose to keep it, or look at it).

        StaleAction if it is not theirs or was ended; BookingRefused once its session is over.
        """
        booking = _owned_active(
            await self._sessions.booking_by_id(booking_id), user_id, booking_id
        )
        view = await self.view(booking)
        if view.ended:
            raise BookingRefused(OVER, title=view.session.title)
        return view

    async def cancel(self, user_id: int, booking_id: int) -> BookingView:
        """Give up a seat, an offer or a waitlist place; a freed seat goes to the next person.

        Refused once the owner was checked in (see :meth:`changeable`).
        """
        now = self._now()
        async with self._db.transaction() as tx:
            booking = await self._own_active(tx, user_id, booking_id, changing=True)
            await self._end(tx, booking, BookingStatus.CANCELLED, now)
            await fill_seats(tx, self._sessions, self._outbox, booking.session_id, now, self._hold)
            had_seat = int(booking.status == BookingStatus.CONFIRMED)  # its file is saved
            notice = await self._tell(
                tx, booking, notices.BOOKING_CANCELLED, now, had_seat=had_seat
            )
        return replace(await self.view(booking), notice=notice)

    async def move(self, user_id: int, booking_id: int, to_session_id: int) -> BookingView:
        """Move a booking to another session; the old seat is kept unless the new one is taken."""
        now = self._now()
        async with self._db.transaction() as tx:
            old = await self._own_active(tx, user_id, booking_id, changing=True)
            if old.session_id == to_session_id:
                raise BookingRefused("booking.already_in_session")
            target = await self._bookable(tx, to_session_id, now)
            if target.seats_left < 1:
                raise BookingRefused("booking.move_full")
            new = await self._sessions.insert_booking(
                tx, to_session_id, user_id, BookingStatus.CONFIRMED, now
            )
            await self._reminders.for_booking(tx, new.id, user_id, target, now)
            await self._end(tx, old, BookingStatus.CANCELLED, now)
            await fill_seats(tx, self._sessions, self._outbox, old.session_id, now, self._hold)
            notice = await self._tell(tx, new, notices.BOOKING_CONFIRMED, now, moved_from=old.id)
        return replace(await self.view(new), notice=notice)

    async def accept_offer(self, user_id: int, booking_id: int) -> BookingView:
        """Take the seat offered from the waitlist, while the offer holds."""
        now = self._now()
        async with self._db.transaction() as tx:
            booking = await self._own_active(tx, user_id, booking_id)
            if booking.status != BookingStatus.OFFERED:
                raise StaleAction(booking_id)
            if booking.offer_expires_at is not None and booking.offer_expires_at <= now:
                raise BookingRefused("booking.offer_expired")
            await self._sessions.set_booking_status(tx, booking.id, BookingStatus.CONFIRMED, now)
            session = await self._sessions.lock_session(tx, booking.session_id)
            assert session is not None
            await self._reminders.for_booking(tx, booking.id, user_id, session, now)
            notice = await self._tell(tx, booking, notices.BOOKING_CONFIRMED, now)
        return replace(await self.view(booking), notice=notice)

    async def decline_offer(self, user_id: int, booking_id: int) -> BookingView:
        """Pass the offered seat on to the next person waiting."""
        now = self._now()
        async with self._db.transaction() as tx:
            booking = await self._own_active(tx, user_id, booking_id)
            if booking.status != BookingStatus.OFFERED:
                raise StaleAction(booking_id)
            await self._sessions.set_booking_status(tx, booking.id, BookingStatus.DECLINED, now)
            await fill_seats(tx, self._sessions, self._outbox, booking.session_id, now, self._hold)
            notice = await self._tell(tx, booking, notices.OFFER_DECLINED, now)
        return replace(await self.view(booking), notice=notice)

    async def expire(self) -> int:
        """End offers whose hold passed and waitlists of sessions that started; return count."""
        now = self._now()
        ended = 0
        async with self._db.transaction() as tx:
            for booking in await self._sessions.expired_offers(tx, now):
                await self._sessions.set_booking_status(tx, booking.id, BookingStatus.EXPIRED, now)
                await self._outbox.enqueue(
                    tx,
                    booking.user_id,
                    notices.OFFER_EXPIRED,
                    {"session_id": booking.session_id},
                    now,
                    now,
                    notices.PRIORITY[notices.OFFER_EXPIRED],
                )
                await fill_seats(
                    tx, self._sessions, self._outbox, booking.session_id, now, self._hold
                )
                ended += 1
            for booking in await self._sessions.waiting_in_started(tx, now):
                await self._sessions.set_booking_status(tx, booking.id, BookingStatus.EXPIRED, now)
                await self._outbox.enqueue(
                    tx,
                    booking.user_id,
                    notices.WAITLIST_ENDED,
                    {"session_id": booking.session_id},
                    now,
                    now,
                )
                ended += 1
        return ended

    async def will_attend(self, user_id: int, booking_id: int) -> BookingView:
        """Record the owner's "I'll be there" from a reminder."""
        async with self._db.transaction() as tx:
            booking = await self._own_active(tx, user_id, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise StaleAction(booking_id)
            await self._sessions.mark_will_attend(tx, booking.id, self._now())
        return await self.view(booking)

    async def said_coming(self, booking_id: int) -> bool:
        """Whether the owner answered a reminder with "I'll be there"."""
        return await self._sessions.will_attend_at(booking_id) is not None

    async def release_all(self, user_id: int) -> None:
        """Give up every place the owner holds in sessions not over yet (before their data is
        erased); seats in past sessions are history and go with the data."""
        now = self._now()
        async with self._db.transaction() as tx:
            for booking in await self._sessions.user_active(tx, user_id, now):
                await self._end(tx, booking, BookingStatus.CANCELLED, now)
                await fill_seats(
                    tx, self._sessions, self._outbox, booking.session_id, now, self._hold
                )

    async def current(self, user_id: int) -> list[BookingView]:
        """The owner's bookings, offers and waitlist places in sessions not over yet."""
        active = await self._sessions.active_of_user(user_id, self._now())
        return [await self.view(b) for b in active]

    async def mine(self, user_id: int) -> MyBookings:
        """What the owner has coming, then the sessions that ended (attended or not)."""
        now = self._now()
        past = await self._sessions.ended_of_user(user_id, now, PAST_SHOWN)
        older = 0
        if len(past) == PAST_SHOWN:
            older = await self._sessions.count_ended_of_user(user_id, now) - PAST_SHOWN
        return MyBookings(await self.current(user_id), [await self.view(b) for b in past], older)

    async def view_by_id(self, booking_id: int) -> BookingView | None:
        """Load a booking (any status) with its session and queue place."""
        booking = await self._sessions.booking_by_id(booking_id)
        return await self.view(booking) if booking else None

    async def view(self, booking: Booking) -> BookingView:
        """Reload a booking with its session and queue place."""
        fresh = await self._sessions.booking_by_id(booking.id) or booking
        session = await self._sessions.get(fresh.session_id)
        assert session is not None
        rank = (
            await self._sessions.waitlist_rank(fresh)
            if fresh.status == BookingStatus.WAITLISTED
            else None
        )
        return BookingView(fresh, session, rank, ended=session.has_ended(self._now()))

    async def _tell(
        self,
        tx: Transaction,
        booking: Booking,
        kind: str,
        now: datetime,
        **extra: int,
    ) -> int:
        """Promise the owner the reply about this change, committed with it; return its id.

        ``extra`` adds ids the reply needs (``moved_from``: the booking a move released;
        ``had_seat``: 1 if a cancelled booking held a seat, whose calendar entry goes).
        """
        return await self._outbox.enqueue(
            tx,
            booking.user_id,
            kind,
            {"booking_id": booking.id, "at": now.isoformat(), **extra},
            now + notices.REPLY_GRACE,
            now,
            notices.PRIORITY[kind],
        )

    async def _end(
        self, tx: Transaction, booking: Booking, status: BookingStatus, now: datetime
    ) -> None:
        """End an active booking and drop its pending reminders."""
        await self._sessions.set_booking_status(tx, booking.id, status, now)
        await self._reminders.cancel_booking(tx, booking.id)

    async def _bookable(self, tx: Transaction, session_id: int, now: datetime) -> TrainingSession:
        session = await self._sessions.lock_session(tx, session_id)
        if session is None or session.status == SessionStatus.CANCELLED:
            raise BookingRefused("booking.session_gone")
        if session.starts_at <= now:
            raise BookingRefused("booking.past")
        if session.status == SessionStatus.CLOSED:
            raise BookingRefused("booking.closed")
        if session.cutoff_at <= now:
            raise BookingRefused("booking.after_cutoff")
        return session

    async def _own_active(
        self, tx: Transaction, user_id: int, booking_id: int, *, changing: bool = False
    ) -> Booking:
        """The booking, only if it is this owner's and still active (else it is stale).

        Refused once its session is over; with ``changing`` (to cancel or move it), also once
        the owner was checked in.
        """
        booking = _owned_active(await self._sessions.booking(tx, booking_id), user_id, booking_id)
        session = await self._sessions.lock_session(tx, booking.session_id)
        title = session.title if session else ""
        if session is not None and session.has_ended(self._now()):
            raise BookingRefused(OVER, title=title)
        if changing and booking.attended_at is not None:
            raise BookingRefused("booking.checked_in", title=title)
        return booking


def _owned_active(booking: Booking | None, user_id: int, booking_id: int) -> Booking:
    """The booking, only if it is this owner's and still active (else it is stale)."""
    if booking is None or booking.user_id != user_id or booking.status not in ACTIVE_BOOKING:
        raise StaleAction(booking_id)
    return booking

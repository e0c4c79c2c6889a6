"""The ports the core depends on; channels and storage implement them.

Services write through a :class:`UnitOfWork`: ``async with uow.transaction() as tx`` opens
one ``BEGIN IMMEDIATE … COMMIT`` on the single writer, and every repository call that takes
``tx`` joins it, so what the service does inside commits together or not at all. The
repository ports below are narrow, each named for what one service needs of storage; those of
broadcasts, admission, data rights, the export and the outbox report are in
:mod:`bot.core.repositories`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol

from bot.core.models import (
    Booking,
    BookingStatus,
    Headcount,
    OutboxMessage,
    OwnerProfile,
    Role,
    RosterLine,
    SessionFeedback,
    Subscription,
    TipCount,
    TipDay,
    TrainingSession,
    User,
)
from bot.core.notices import ChannelName, Notice, Recipient, SentRef


class Channel(Protocol):
    """A way to reach people: renders a notice within its limits and sends it.

    ``send`` raises the delivery errors of :mod:`bot.core.errors` (``Unreachable``,
    ``RetryLater``, ``Rejected``, ``OutsideWindow``) and nothing platform-specific.
    """

    name: ChannelName

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Deliver one notice (``bulk``: after people's replies); return its id there."""
        ...


class Identities(Protocol):
    """Who a person is on each channel: the one map from a channel's id to the internal id.

    Internal user ids are the bot's own (allocated, never reused); a channel's id (a Telegram
    user id, a WhatsApp number) is only ever looked up here. Made once, in the assembly.
    """

    async def user_for(self, channel: ChannelName, external_id: str) -> int | None:
        """The internal user with this id on ``channel``, if any."""
        ...

    async def register(
        self,
        channel: ChannelName,
        external_id: str,
        language: str,
        now: datetime,
        *,
        wrote: bool = True,
    ) -> int:
        """The internal id for this channel id, creating the user on first contact; with
        ``wrote=False`` someone known before they ever wrote (no chat with them yet)."""
        ...

    async def external_id(self, user_id: int, channel: ChannelName) -> str | None:
        """The user's id on ``channel``, if they use it."""
        ...

    async def channels(self, user_id: int) -> dict[ChannelName, str]:
        """Every channel the user is known on, with their id there."""
        ...


class FileRefs(Protocol):
    """A channel's own ids of the files the bot keeps: each edge's cache, kept across restarts.

    ``key`` names the file (its SHA-256, see :attr:`bot.core.notices.Attachment.key`); ``ref``
    is whatever the channel knows it by (a Telegram file id). Only that channel reads it.
    """

    async def channel_ref(self, channel: ChannelName, key: str) -> str | None:
        """The channel's id of the file, if it has one."""
        ...

    async def remember_ref(self, channel: ChannelName, key: str, ref: str) -> None:
        """Keep the channel's id of the file (replacing an older one)."""
        ...


class Waker(Protocol):
    """Runs the delivery service again at a given time (a scheduler job, or at once)."""

    def wake_at(self, due: datetime) -> None:
        """Make sure delivery runs at ``due`` (now, if it has passed)."""
        ...


class Transaction(Protocol):
    """One open write transaction: opaque to services, which only hand it to repositories."""


class UnitOfWork(Protocol):
    """Opens write transactions (``BEGIN IMMEDIATE … COMMIT``, rolled back on any error)."""

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Run the ``async with`` block as one transaction on the single writer."""
        ...


class OutboxWriter(Protocol):
    """Queues and withdraws promised messages inside the caller's transaction."""

    async def enqueue(
        self,
        tx: Transaction,
        user_id: int,
        kind: str,
        params: dict[str, Any],
        due_at: datetime,
        now: datetime,
        priority: int = 5,
        ref: str | None = None,
    ) -> int:
        """Promise a message; return its id."""
        ...

    async def cancel_ref(self, tx: Transaction, ref: str) -> int:
        """Cancel the pending messages about ``ref``; return how many."""
        ...


class ReminderQueue(OutboxWriter, Protocol):
    """The outbox as reminders use it: also asks whether a recipient can be written to."""

    async def recipient_known(self, tx: Transaction, user_id: int) -> bool:
        """Whether the user ever wrote to the bot (a chat the channel may open)."""
        ...


class OutboxQueue(OutboxWriter, Protocol):
    """The outbox as the tips service uses it: writes, and what is still queued."""

    async def pending_for(self, user_id: int) -> list[OutboxMessage]:
        """Messages still queued for one user."""
        ...


class SeatLedger(Protocol):
    """Moves seats along a session's waitlist, inside the caller's transaction."""

    async def lock_session(self, tx: Transaction, session_id: int) -> TrainingSession | None:
        """Read a session inside the write transaction."""
        ...

    async def next_waiting(self, tx: Transaction, session_id: int) -> Booking | None:
        """The first owner still waiting for a seat in the session."""
        ...

    async def set_booking_status(
        self,
        tx: Transaction,
        booking_id: int,
        status: BookingStatus,
        now: datetime,
        offer_expires_at: datetime | None = None,
    ) -> None:
        """Move a booking to another status."""
        ...

    async def session_active(self, tx: Transaction, session_id: int) -> list[Booking]:
        """All active bookings of a session."""
        ...


class SessionReading(Protocol):
    """Reads sessions as committed."""

    async def get(self, session_id: int) -> TrainingSession | None:
        """Return one session with its seat counts."""
        ...

    async def starting_after(self, moment: datetime) -> list[TrainingSession]:
        """Sessions that start after ``moment``, soonest first (any status)."""
        ...


class SessionStore(SeatLedger, SessionReading, Protocol):
    """What the session service needs: sessions read, created and changed."""

    async def by_code(self, code: str) -> TrainingSession | None:
        """Return the session with this deep-link code."""
        ...

    async def all(self) -> list[TrainingSession]:
        """Every session, soonest first."""
        ...

    async def insert_session(
        self, tx: Transaction, values: dict[str, Any], created_by: int | None, now: datetime
    ) -> int:
        """Insert a session; return its id."""
        ...

    async def update_session(
        self, tx: Transaction, session_id: int, changes: dict[str, Any], now: datetime
    ) -> None:
        """Change some columns of a session."""
        ...

    async def next_sequence(self, tx: Transaction, session_id: int) -> int:
        """Raise the session's calendar revision by one; return the new value."""
        ...


class BookingStore(SeatLedger, Protocol):
    """What the booking service needs: owners' bookings read and changed."""

    async def get(self, session_id: int) -> TrainingSession | None:
        """Return one session with its seat counts."""
        ...

    async def user_active(self, tx: Transaction, user_id: int, now: datetime) -> list[Booking]:
        """The owner's active bookings of sessions not ended by ``now``, inside the transaction."""
        ...

    async def booking(self, tx: Transaction, booking_id: int) -> Booking | None:
        """One booking, read inside the transaction."""
        ...

    async def insert_booking(
        self,
        tx: Transaction,
        session_id: int,
        user_id: int,
        status: BookingStatus,
        now: datetime,
    ) -> Booking:
        """Add an owner to a session as confirmed or waitlisted."""
        ...

    async def expired_offers(self, tx: Transaction, now: datetime) -> list[Booking]:
        """Offers whose hold window has passed."""
        ...

    async def waiting_in_started(self, tx: Transaction, now: datetime) -> list[Booking]:
        """Waitlist places of sessions that have already started."""
        ...

    async def mark_will_attend(self, tx: Transaction, booking_id: int, now: datetime) -> None:
        """Record that the owner said they will come."""
        ...

    async def active_of_user(self, user_id: int, now: datetime) -> list[Booking]:
        """The owner's active bookings of sessions not ended by ``now``, soonest first."""
        ...

    async def ended_of_user(self, user_id: int, now: datetime, limit: int) -> list[Booking]:
        """The owner's seats in sessions that ended by ``now``, the latest first."""
        ...

    async def count_ended_of_user(self, user_id: int, now: datetime) -> int:
        """How many seats the owner had in sessions that ended by ``now``."""
        ...

    async def booking_by_id(self, booking_id: int) -> Booking | None:
        """One booking, committed state."""
        ...

    async def waitlist_rank(self, booking: Booking) -> int:
        """The 1-based place of a waitlisted booking in its session's queue."""
        ...

    async def will_attend_at(self, booking_id: int) -> datetime | None:
        """When the owner said they will come, or None."""
        ...


class ProfileReader(Protocol):
    """Reads an owner's sign-up profile."""

    async def get(self, user_id: int) -> OwnerProfile | None:
        """The owner's profile, or None if they have not signed up."""
        ...


class TrainerRoles(Protocol):
    """What the session service needs of users: who is known, who trains, taking it away."""

    async def get(self, user_id: int) -> User | None:
        """The user, or None if they never wrote to the bot."""
        ...

    async def holders(self, role: Role) -> list[int]:
        """The ids holding ``role``."""
        ...

    async def revoke_role(self, tx: Transaction, user_id: int, role: Role) -> bool:
        """Take ``role`` away; return whether it was held."""
        ...


class TipsStore(Protocol):
    """Tips sent, their feedback, daily subscriptions and the per-day chain."""

    async def last_sent(self, user_id: int) -> dict[str, datetime]:
        """When each tip was last sent to this user."""
        ...

    async def record_sent(
        self, tx: Transaction, user_id: int, tip_id: str, topic: str, via: str, now: datetime
    ) -> None:
        """Note that a tip went to a user."""
        ...

    async def send_now(
        self, user_id: int, tip_id: str, topic: str, via: str, now: datetime
    ) -> None:
        """Note a tip sent in reply to the user (its own transaction)."""
        ...

    async def was_sent(self, user_id: int, tip_id: str) -> bool:
        """Whether this tip was ever sent to this user."""
        ...

    async def give_feedback(
        self, user_id: int, tip_id: str, topic: str, helpful: bool, now: datetime
    ) -> None:
        """Store (or change) the user's opinion of a tip."""
        ...

    async def subscription(self, user_id: int) -> Subscription | None:
        """The user's daily tip subscription, if they ever made one."""
        ...

    async def save_subscription(
        self, tx: Transaction, user_id: int, slot: str, active: bool, now: datetime
    ) -> None:
        """Create or change a subscription and drop the days queued but not yet taken."""
        ...

    async def queue_day(self, tx: Transaction, user_id: int, day: date) -> bool:
        """Claim a day for a daily tip; False if that day already has one."""
        ...

    async def day(self, tx: Transaction, user_id: int, day: date) -> tuple[TipDay, str]:
        """The status and tip of a queued day (``TipDay.MISSING`` if there is none)."""
        ...

    async def close_day(
        self, tx: Transaction, user_id: int, day: date, status: TipDay, tip_id: str | None
    ) -> None:
        """Mark a queued day as ``taken`` (with its tip) or ``skipped``."""
        ...

    async def has_queued_day(self, user_id: int) -> bool:
        """Whether a daily tip is queued for this user."""
        ...

    async def counts(self, by: str) -> list[TipCount]:
        """Sent, helpful and not helpful per ``tip`` or per ``topic``, most sent first."""
        ...


class AttendanceStore(Protocol):
    """Check-in codes, who came, and attendees' feedback."""

    async def set_checkin_code(self, session_id: int, code: str) -> str:
        """Give a session its check-in code unless it has one; return the code it has."""
        ...

    async def session_by_checkin(self, code: str) -> int | None:
        """The session a check-in code belongs to."""
        ...

    async def confirmed_booking(
        self, tx: Transaction, session_id: int, user_id: int
    ) -> tuple[int, bool] | None:
        """The owner's confirmed booking in a session and whether they were checked in."""
        ...

    async def booking_session(
        self, tx: Transaction, booking_id: int
    ) -> tuple[int, int, bool] | None:
        """(session id, user id, attended) of a confirmed booking."""
        ...

    async def set_attended(
        self, tx: Transaction, booking_id: int, moment: datetime | None
    ) -> None:
        """Record (or, with None, clear) attendance."""
        ...

    async def roster(self, session_id: int) -> list[RosterLine]:
        """Everyone with a confirmed seat, by name."""
        ...

    async def save_rating(self, booking_id: int, stars: int, now: datetime) -> None:
        """Store (or change) an attendee's star rating."""
        ...

    async def save_comment(self, booking_id: int, comment: str) -> bool:
        """Add a comment to a rating; False if there is no rating yet."""
        ...

    async def attendee_of(self, booking_id: int) -> tuple[int, int] | None:
        """(user id, session id) of a booking whose owner attended."""
        ...

    async def headcounts(self, session_id: int | None = None) -> dict[int, Headcount]:
        """Confirmed seats and attendees per session."""
        ...

    async def per_session(self) -> list[SessionFeedback]:
        """Attendance and average rating per session."""
        ...

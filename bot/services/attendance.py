"""Trainers' classes, attendance (check-in link/QR or tick list) and attendees' feedback."""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import BookingRefused, InvalidInput, StaleAction
from bot.core.models import (
    Headcount,
    Role,
    RosterLine,
    SessionFeedback,
    SessionStatus,
    TrainingSession,
)
from bot.core.notices import NoticeKind
from bot.core.ports import AttendanceStore, OutboxWriter, SessionReading, Transaction, UnitOfWork
from bot.services.access import Access, RoleReader
from bot.services.validation import clean_text

CHECKIN_OPENS = timedelta(minutes=30)  # before the start
FEEDBACK_KIND = NoticeKind.FEEDBACK
RECENT = timedelta(days=7)
COMMENT_MAX = 500


def feedback_ref(booking_id: int) -> str:
    """The outbox ``ref`` of a booking's feedback question."""
    return f"feedback:{booking_id}"


class AttendanceFollower(Protocol):
    """Something that follows attendance (the practice tasks), inside its transaction."""

    async def attended(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        session: TrainingSession,
        now: datetime,
    ) -> None: ...
    async def unattended(self, tx: Transaction, booking_id: int) -> None: ...


UNKNOWN_CODE = "attendance.unknown_code"
CODE_ALPHABET = string.ascii_letters + string.digits
# "HADIR-<code>", typed or put in the message by the trainer's WhatsApp link: at most one "-"
# or "_" separates them, so an older code that starts with one (token_urlsafe) keeps it.
_TYPED_CHECKIN = re.compile(r"hadir(?:[\s:]*-[\s:]+|[\s:]*[-_]?)(\S{4,64})", re.IGNORECASE)


def typed_checkin(text: str) -> str | None:
    """The code of a typed check-in ("HADIR-Ab3x9…"), on any channel; None if it is not one."""
    match = _TYPED_CHECKIN.fullmatch(text.strip())
    return match[1] if match else None


def new_checkin_code() -> str:
    """A fresh check-in code: 14 letters and digits (about 83 bits).

    No "-" or "_": the code is typed after "HADIR-" on WhatsApp and after "hadir-" in a
    Telegram deep link, where a leading dash or underscore read as part of the separator.
    """
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(14))


class AttendanceService:
    """Attendance and feedback; what a trainer or staff may do is decided by :class:`Access`."""

    def __init__(
        self,
        db: UnitOfWork,
        attendance: AttendanceStore,
        sessions: SessionReading,
        outbox: OutboxWriter,
        users: RoleReader,
        now: Clock,
        feedback_delay: timedelta,
    ) -> None:
        self._db = db
        self._attendance = attendance
        self._sessions = sessions
        self._outbox = outbox
        self._now = now
        self._feedback_delay = feedback_delay
        self._access = Access(users, sessions)
        self._followers: list[AttendanceFollower] = []

    def follow(self, follower: AttendanceFollower) -> None:
        """Tell ``follower`` of every attendance marked or taken back, in its transaction."""
        self._followers.append(follower)

    async def classes(self, trainer_id: int) -> list[TrainingSession]:
        """The trainer's sessions from the last week on, soonest first (trainers only)."""
        await self._access.require(trainer_id, Role.TRAINER)
        since = self._now() - RECENT
        return [
            s
            for s in await self._sessions.starting_after(since)
            if s.trainer_id == trainer_id and s.status != SessionStatus.CANCELLED
        ]

    def window_open(self, session: TrainingSession) -> bool:
        """Check-in is open from 30 minutes before the start until the end."""
        now = self._now()
        return session.starts_at - CHECKIN_OPENS <= now <= session.ends_at

    async def checkin_code(self, user_id: int, session_id: int) -> tuple[TrainingSession, str]:
        """The session's check-in code, for its trainer, while check-in is open."""
        session = await self._access.session(user_id, session_id)
        if not self.window_open(session):
            raise BookingRefused("attendance.window_closed")
        code = await self._attendance.set_checkin_code(session.id, new_checkin_code())
        return session, code

    async def checked_in(
        self, user_id: int, code: str, *, step_open: bool = False
    ) -> tuple[str, dict[str, object]] | None:
        """Check an owner in by the session's code (typed, or from the trainer's link); the
        catalog key and parameters of the answer, the same on every channel: checked in,
        already checked in, or why not (an unknown code, a session not booked...).

        ``step_open``: a question waits for the person's answer. Then a code no session has
        is not a check-in at all (None): "hadir besok" or "Hadir Jaya" is the answer.
        """
        try:
            session, new = await self.check_in(user_id, code)
        except BookingRefused as refusal:
            if step_open and refusal.key == UNKNOWN_CODE:
                return None
            return refusal.key, dict(refusal.params)
        return ("attendance.checked_in" if new else "attendance.already"), {"title": session.title}

    async def check_in(self, user_id: int, code: str) -> tuple[TrainingSession, bool]:
        """Check an owner in by the session's code; return the session and if it was new."""
        session_id = await self._attendance.session_by_checkin(code)
        session = await self._sessions.get(session_id) if session_id else None
        if session is None:
            raise BookingRefused(UNKNOWN_CODE)
        if not self.window_open(session):
            raise BookingRefused("attendance.window_closed")
        now = self._now()
        async with self._db.transaction() as tx:
            found = await self._attendance.confirmed_booking(tx, session.id, user_id)
            if found is None:
                raise BookingRefused("attendance.not_booked")
            booking_id, already = found
            if not already:
                await self._attendance.set_attended(tx, booking_id, now)
                await self._ask_feedback(tx, booking_id, user_id, session, now)
        return session, not already

    async def roster(
        self, user_id: int, session_id: int
    ) -> tuple[TrainingSession, list[RosterLine]]:
        """The tick list of a session the user runs."""
        session = await self._access.session(user_id, session_id)
        return session, await self._attendance.roster(session.id)

    async def headcount(self, user_id: int, session_id: int) -> Headcount:
        """Confirmed seats and attendees of a session the user runs (as every view counts)."""
        session = await self._access.session(user_id, session_id)
        return (await self._attendance.headcounts(session.id)).get(session.id, Headcount())

    async def mark(
        self, user_id: int, booking_id: int, *, attended: bool
    ) -> tuple[TrainingSession, bool]:
        """Set one participant's attendance to what the tapped button showed it would become.

        Idempotent: if the participant is already so (a check-in by QR since the list was
        drawn, a double tap), nothing changes. Returns the session and whether it changed.
        """
        now = self._now()
        async with self._db.transaction() as tx:
            found = await self._attendance.booking_session(tx, booking_id)
            if found is None:
                raise StaleAction(booking_id)
            session_id, owner_id, already = found
            # Checked inside the write transaction: a revoke cannot commit in between.
            session = await self._access.session(user_id, session_id)
            if already == attended:
                return session, False
            if attended:
                await self._attendance.set_attended(tx, booking_id, now)
                await self._ask_feedback(tx, booking_id, owner_id, session, now)
            else:
                await self._attendance.set_attended(tx, booking_id, None)
                await self._outbox.cancel_ref(tx, feedback_ref(booking_id))
                for follower in self._followers:
                    await follower.unattended(tx, booking_id)
        return session, True

    async def _ask_feedback(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        session: TrainingSession,
        now: datetime,
    ) -> None:
        """Queue the feedback question for after the session (replacing an earlier one),
        and tell the followers."""
        for follower in self._followers:
            await follower.attended(tx, booking_id, user_id, session, now)
        due = max(session.ends_at + self._feedback_delay, now)
        await self._outbox.cancel_ref(tx, feedback_ref(booking_id))
        await self._outbox.enqueue(
            tx,
            user_id,
            FEEDBACK_KIND,
            {"booking_id": booking_id},
            due,
            now,
            6,
            feedback_ref(booking_id),
        )

    async def rate(self, user_id: int, booking_id: int, stars: int) -> None:
        """Record an attendee's 1-5 stars."""
        owner = await self._attendance.attendee_of(booking_id)
        if owner is None or owner[0] != user_id or not 1 <= stars <= 5:
            raise StaleAction(booking_id)
        await self._attendance.save_rating(booking_id, stars, self._now())

    async def comment(self, user_id: int, booking_id: int, text: str) -> None:
        """Add the attendee's comment to their rating."""
        owner = await self._attendance.attendee_of(booking_id)
        if owner is None or owner[0] != user_id:
            raise StaleAction(booking_id)
        if not await self._attendance.save_comment(
            booking_id, clean_text(text, max_length=COMMENT_MAX)
        ):
            raise InvalidInput("feedback.rate_first")

    async def summary(self) -> list[SessionFeedback]:
        """Attendance and average rating per session (staff statistics)."""
        return await self._attendance.per_session()

"""Training sessions: staff create, change, close and cancel them; everyone reads them."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.errors import BookingRefused, InvalidInput
from bot.core.models import Booking, BookingStatus, Role, SessionStatus, TrainingSession
from bot.core.notices import NoticeKind
from bot.core.ports import OutboxWriter, SessionStore, TrainerRoles, Transaction, UnitOfWork
from bot.services import notices, session_changes
from bot.services.booking import fill_seats
from bot.services.reminders import Reminders
from bot.services.session_changes import Audience, ChangePreview
from bot.services.validation import clean_text

DEFAULT_CUTOFF = timedelta(hours=2)
MAX_CAPACITY = 500
TITLE_MAX = 120
CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
TRAINER_REVOKED = (
    NoticeKind.TRAINER_REVOKED
)  # outbox kind: {session_ids: [...]} told to the trainer
TRAINER_ASSIGNED = (
    NoticeKind.TRAINER_ASSIGNED
)  # outbox kind: {session_id}, a new session's trainer


@dataclass(frozen=True)
class SessionDraft:
    """What staff provide to create a session (times aware; stored as UTC)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    venue_name: str | None = None
    venue_address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    online_url: str | None = None
    trainer_id: int | None = None
    cutoff_at: datetime | None = None


def new_code() -> str:
    """A short, unambiguous deep-link code for a session."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def check_draft(draft: SessionDraft, now: datetime) -> dict[str, Any]:
    """Validate a draft; return the column values or raise InvalidInput naming the problem."""
    title = clean_text(draft.title, max_length=TITLE_MAX)
    if draft.starts_at.tzinfo is None or draft.ends_at.tzinfo is None:
        raise InvalidInput("session.invalid.naive_time")
    if draft.starts_at <= now:
        raise InvalidInput("session.invalid.past")
    if draft.ends_at <= draft.starts_at:
        raise InvalidInput("session.invalid.end_before_start")
    if not 1 <= draft.capacity <= MAX_CAPACITY:
        raise InvalidInput("session.invalid.capacity", max=MAX_CAPACITY)
    if not (draft.venue_name or draft.online_url):
        raise InvalidInput("session.invalid.no_place")
    if draft.online_url and not draft.online_url.startswith(("https://", "http://")):
        raise InvalidInput("session.invalid.url")
    if (draft.latitude is None) != (draft.longitude is None):
        raise InvalidInput("session.invalid.coordinates")
    if draft.latitude is not None and not (
        -90 <= draft.latitude <= 90 and -180 <= (draft.longitude or 0) <= 180
    ):
        raise InvalidInput("session.invalid.coordinates")
    cutoff = draft.cutoff_at or draft.starts_at - DEFAULT_CUTOFF
    if cutoff > draft.starts_at:
        raise InvalidInput("session.invalid.cutoff")
    values = asdict(draft)
    values.update(title=title, cutoff_at=cutoff, code=new_code())
    for key in ("venue_name", "venue_address"):
        if values[key]:
            values[key] = clean_text(values[key], max_length=200)
    return values


class SessionService:
    """Create and change sessions; changes that touch booked owners queue notices."""

    def __init__(
        self,
        db: UnitOfWork,
        sessions: SessionStore,
        users: TrainerRoles,
        outbox: OutboxWriter,
        now: Clock,
        offer_hold: timedelta,
        reminders: Reminders,
    ) -> None:
        self._reminders = reminders
        self._offer_hold = offer_hold
        self._db = db
        self._sessions = sessions
        self._users = users
        self._outbox = outbox
        self._now = now

    async def get(self, session_id: int) -> TrainingSession | None:
        """Return one session."""
        return await self._sessions.get(session_id)

    async def by_code(self, code: str) -> TrainingSession | None:
        """Return the session behind a deep-link code."""
        return await self._sessions.by_code(code)

    async def bookable(self) -> list[TrainingSession]:
        """Upcoming sessions still open for registration, soonest first."""
        now = self._now()
        return [
            s
            for s in await self._sessions.starting_after(now)
            if s.status == SessionStatus.OPEN and s.cutoff_at > now
        ]

    async def upcoming(self) -> list[TrainingSession]:
        """Every session that has not started yet (any status), for staff."""
        return await self._sessions.starting_after(self._now())

    async def all(self) -> list[TrainingSession]:
        """Every session."""
        return await self._sessions.all()

    async def create(self, draft: SessionDraft, created_by: int | None) -> TrainingSession:
        """Create one session."""
        (created,) = await self.create_many([draft], created_by)
        return created

    async def create_many(
        self, drafts: list[SessionDraft], created_by: int | None
    ) -> list[TrainingSession]:
        """Create several sessions at once: all of them, or none if any is invalid.

        Each session's trainer is told, by a notice committed with the session.
        """
        now = self._now()
        rows = [check_draft(d, now) for d in drafts]
        trainers = set(await self._users.holders(Role.TRAINER))
        for row in rows:
            if row["trainer_id"] is not None and row["trainer_id"] not in trainers:
                raise InvalidInput("session.invalid.trainer")
        assigned = {r["trainer_id"] for r in rows if r["trainer_id"] is not None}
        reachable = {t for t in assigned if await self._users.get(t) is not None}
        async with self._db.transaction() as tx:
            ids = [await self._sessions.insert_session(tx, row, created_by, now) for row in rows]
            for session_id in ids:
                created_row = await self._sessions.lock_session(tx, session_id)
                assert created_row is not None
                await self._reminders.for_trainer(tx, created_row, now)
                trainer = created_row.trainer_id
                if trainer is not None and trainer in reachable:
                    params = {"session_id": session_id}
                    await self._outbox.enqueue(tx, trainer, TRAINER_ASSIGNED, params, now, now, 3)
        created = [await self._sessions.get(i) for i in ids]
        return [s for s in created if s is not None]

    async def audience(self, session: TrainingSession, fields: list[str]) -> Audience:
        """Who is told when ``fields`` of the session change (or, with none, it is cancelled).

        Every owner with a seat, an offer or a waitlist place, and the trainer, unless the
        change is of the trainer (assigning one is told by its own message).
        """
        trainer = session.trainer_id
        if trainer is not None and (
            "trainer_id" in fields or await self._users.get(trainer) is None
        ):
            trainer = None
        return Audience(session.confirmed, session.offered, session.waitlisted, trainer)

    async def preview_change(self, session_id: int, changes: dict[str, Any]) -> ChangePreview:
        """Check a change as :meth:`change` would, and say who it will be told to; save nothing."""
        session = await self._sessions.get(session_id)
        if session is None or session.status == SessionStatus.CANCELLED:
            raise BookingRefused("session.gone")
        changes = _with_cutoff(changes)
        _check_change(session, changes, self._now())
        fields = session_changes.changed_fields(session, changes)
        after = replace(session, **changes)
        return ChangePreview(session, after, fields, await self.audience(after, fields))

    async def change(
        self, session_id: int, changes: dict[str, Any], *, sequence: int | None = None
    ) -> TrainingSession:
        """Change time, venue, trainer or capacity; tell those booked or waiting and the trainer.

        With ``sequence`` (the revision staff saw in the preview), refused with
        ``session_change.changed_meanwhile`` if someone changed the session since.
        """
        now = self._now()
        changes = _with_cutoff(changes)
        async with self._db.transaction() as tx:
            session = await self._sessions.lock_session(tx, session_id)
            if session is None or session.status == SessionStatus.CANCELLED:
                raise BookingRefused("session.gone")
            if sequence is not None and sequence != session.sequence:
                raise BookingRefused("session_change.changed_meanwhile", title=session.title)
            _check_change(session, changes, now)
            fields = session_changes.changed_fields(session, changes)
            await self._sessions.update_session(tx, session_id, changes, now)
            if fields:
                await self._tell_changed(tx, session, fields, now)
            await fill_seats(tx, self._sessions, self._outbox, session_id, now, self._offer_hold)
            await self._follow_time(tx, session_id, changes, now)
        updated = await self._sessions.get(session_id)
        assert updated is not None
        return updated

    async def _tell_changed(
        self, tx: Transaction, before: TrainingSession, fields: list[str], now: datetime
    ) -> None:
        """Queue "was → is now" for each owner in the session and its trainer, with the revision.

        The values before and after go into the notice: it may be sent after a later change.
        """
        after = await self._sessions.lock_session(tx, before.id)
        assert after is not None
        params = {
            "session_id": before.id,
            "changes": fields,
            "before": session_changes.snapshot(before, fields),
            "after": session_changes.snapshot(after, fields),
            "sequence": await self._sessions.next_sequence(tx, before.id),
        }
        for booking in await self._sessions.session_active(tx, before.id):
            await self._notify(tx, booking.user_id, notices.SESSION_CHANGED, params, now, booking)
        trainer = (await self.audience(after, fields)).trainer_id
        if trainer is not None:
            await self._notify(tx, trainer, notices.SESSION_CHANGED, params, now)

    async def _notify(
        self,
        tx: Transaction,
        user_id: int,
        kind: str,
        params: dict[str, Any],
        now: datetime,
        booking: Booking | None = None,
    ) -> None:
        """Queue a notice about the session to an owner (with their booking) or its trainer."""
        mine = {"booking_id": booking.id, "was": booking.status} if booking else {"trainer": True}
        await self._outbox.enqueue(
            tx, user_id, kind, {**params, **mine}, now, now, notices.PRIORITY[kind]
        )

    async def set_status(self, session_id: int, status: SessionStatus) -> TrainingSession:
        """Close or reopen registration (``closed``/``open``); bookings stay as they are."""
        if status not in (SessionStatus.OPEN, SessionStatus.CLOSED):
            raise ValueError(status)
        async with self._db.transaction() as tx:
            session = await self._sessions.lock_session(tx, session_id)
            if session is None or session.status == SessionStatus.CANCELLED:
                raise BookingRefused("session.gone")
            await self._sessions.update_session(tx, session_id, {"status": status}, self._now())
        updated = await self._sessions.get(session_id)
        assert updated is not None
        return updated

    async def cancel(self, session_id: int) -> Audience:
        """Cancel a session: every booking, offer and waitlist place ends; all are told.

        The owners and the trainer each get a notice with the new calendar revision (its
        file removes the entry); returns who was told.
        """
        now = self._now()
        async with self._db.transaction() as tx:
            session = await self._sessions.lock_session(tx, session_id)
            if session is None or session.status == SessionStatus.CANCELLED:
                raise BookingRefused("session.gone")
            audience = await self.audience(session, [])
            await self._sessions.update_session(
                tx, session_id, {"status": SessionStatus.CANCELLED}, now
            )
            params = {
                "session_id": session_id,
                "sequence": await self._sessions.next_sequence(tx, session_id),
            }
            await self._reminders.for_trainer(
                tx, replace(session, status=SessionStatus.CANCELLED), now
            )
            for booking in await self._sessions.session_active(tx, session_id):
                await self._sessions.set_booking_status(
                    tx, booking.id, BookingStatus.CANCELLED, now
                )
                await self._reminders.cancel_booking(tx, booking.id)
                kind = notices.SESSION_CANCELLED
                await self._notify(tx, booking.user_id, kind, params, now, booking)
            if audience.trainer_id is not None:
                await self._notify(tx, audience.trainer_id, notices.SESSION_CANCELLED, params, now)
        return audience

    async def run_by(self, trainer_id: int) -> list[TrainingSession]:
        """The sessions not over yet (and not cancelled) that name this trainer, soonest first."""
        now = self._now()
        return [
            s
            for s in await self._sessions.all()
            if s.trainer_id == trainer_id
            and s.status != SessionStatus.CANCELLED
            and s.ends_at > now
        ]

    async def revoke_trainer(self, trainer_id: int) -> list[TrainingSession] | None:
        """Take the trainer role away, unassign them from sessions not over yet, tell them.

        Returns the sessions left without a trainer, or None if the user was no trainer.
        Sessions that are over keep their trainer, for the records.
        """
        now = self._now()
        async with self._db.transaction() as tx:
            if not await self._users.revoke_role(tx, trainer_id, Role.TRAINER):
                return None
            orphaned = [replace(s, trainer_id=None) for s in await self.run_by(trainer_id)]
            for session in orphaned:
                await self._sessions.update_session(tx, session.id, {"trainer_id": None}, now)
                await self._reminders.for_trainer(tx, session, now)  # drops their reminders
            if await self._users.get(trainer_id) is not None:
                params = {"session_ids": [s.id for s in orphaned]}
                await self._outbox.enqueue(tx, trainer_id, TRAINER_REVOKED, params, now, now, 2)
        return orphaned

    async def _follow_time(
        self, tx: Transaction, session_id: int, changes: dict[str, Any], now: datetime
    ) -> None:
        """Recompute reminders when the start time or the trainer changed."""
        if not {"starts_at", "trainer_id"} & changes.keys():
            return
        session = await self._sessions.lock_session(tx, session_id)
        assert session is not None
        await self._reminders.for_trainer(tx, session, now)
        if "starts_at" not in changes:
            return
        for booking in await self._sessions.session_active(tx, session_id):
            await self._reminders.cancel_booking(tx, booking.id)
            if booking.status == BookingStatus.CONFIRMED:
                await self._reminders.for_booking(tx, booking.id, booking.user_id, session, now)


_DRAFT_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "capacity",
    "venue_name",
    "venue_address",
    "latitude",
    "longitude",
    "online_url",
    "trainer_id",
    "cutoff_at",
)


def _draft_values(session: TrainingSession) -> dict[str, Any]:
    return {f: getattr(session, f) for f in _DRAFT_FIELDS}


def _with_cutoff(changes: dict[str, Any]) -> dict[str, Any]:
    """A new start moves the registration cutoff with it, unless a cutoff is given."""
    if "starts_at" in changes and "cutoff_at" not in changes:
        return {**changes, "cutoff_at": changes["starts_at"] - DEFAULT_CUTOFF}
    return changes


def _check_change(session: TrainingSession, changes: dict[str, Any], now: datetime) -> None:
    """Raise InvalidInput or BookingRefused if the changed session would not be valid."""
    merged = {**_draft_values(session), **changes}
    check_draft(SessionDraft(**{k: merged[k] for k in _DRAFT_FIELDS}), now)
    capacity = changes.get("capacity")
    booked = session.confirmed + session.offered
    if capacity is not None and capacity < booked:
        raise BookingRefused("session.capacity_below_booked", booked=booked, requested=capacity)

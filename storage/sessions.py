"""Training sessions and bookings.

Reads go through the reader connection; every change runs inside a transaction the service
opens with ``Database.transaction()`` and passes in as ``tx``, so a booking, the seat
offers it causes and the notices they need commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.models import Booking, BookingStatus, SessionStatus, TrainingSession
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time

_SESSION_SELECT = """
SELECT s.*,
    (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'confirmed')
        AS confirmed,
    (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'offered')
        AS offered,
    (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'waitlisted')
        AS waitlisted
FROM training_sessions s
"""
# An owner's active bookings whose session has not ended (``ends_at`` after now), soonest first.
_ACTIVE_OF_USER = """
SELECT b.* FROM bookings b JOIN training_sessions s ON s.id = b.session_id
WHERE b.user_id = ? AND b.status IN ('confirmed', 'offered', 'waitlisted') AND s.ends_at > ?
ORDER BY s.starts_at, b.seq
"""
SESSION_COLUMNS = (
    "code",
    "title",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "latitude",
    "longitude",
    "online_url",
    "capacity",
    "trainer_id",
    "cutoff_at",
)
_TIME_COLUMNS = {"starts_at", "ends_at", "cutoff_at"}


def _session(row: aiosqlite.Row) -> TrainingSession:
    return TrainingSession(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        starts_at=from_db_time(row["starts_at"]),
        ends_at=from_db_time(row["ends_at"]),
        venue_name=row["venue_name"],
        venue_address=row["venue_address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        online_url=row["online_url"],
        capacity=row["capacity"],
        trainer_id=row["trainer_id"],
        cutoff_at=from_db_time(row["cutoff_at"]),
        status=SessionStatus(row["status"]),
        confirmed=row["confirmed"],
        offered=row["offered"],
        waitlisted=row["waitlisted"],
        sequence=row["calendar_sequence"],
    )


def _booking(row: aiosqlite.Row) -> Booking:
    expires, attended = row["offer_expires_at"], row["attended_at"]
    return Booking(
        id=row["id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        status=BookingStatus(row["status"]),
        seq=row["seq"],
        offer_expires_at=from_db_time(expires) if expires else None,
        created_at=from_db_time(row["created_at"]),
        attended_at=from_db_time(attended) if attended else None,
    )


def _db_value(column: str, value: Any) -> Any:
    return to_db_time(value) if column in _TIME_COLUMNS else value


async def _one(tx: Transaction, sql: str, params: Iterable[Any]) -> aiosqlite.Row | None:
    async with connection(tx).execute(sql, tuple(params)) as cursor:
        return await cursor.fetchone()


async def _all(tx: Transaction, sql: str, params: Iterable[Any]) -> list[aiosqlite.Row]:
    async with connection(tx).execute(sql, tuple(params)) as cursor:
        return list(await cursor.fetchall())


class SessionRepository:
    """All SQL about sessions and bookings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- reads (committed state) ---

    async def get(self, session_id: int) -> TrainingSession | None:
        """Return one session with its seat counts."""
        row = await self._db.fetch_one(_SESSION_SELECT + " WHERE s.id = ?", (session_id,))
        return _session(row) if row else None

    async def by_code(self, code: str) -> TrainingSession | None:
        """Return the session with this deep-link code."""
        row = await self._db.fetch_one(_SESSION_SELECT + " WHERE s.code = ?", (code,))
        return _session(row) if row else None

    async def starting_after(self, moment: datetime) -> list[TrainingSession]:
        """Return sessions that start after ``moment``, soonest first (any status)."""
        rows = await self._db.fetch_all(
            _SESSION_SELECT + " WHERE s.starts_at > ? ORDER BY s.starts_at, s.id",
            (to_db_time(moment),),
        )
        return [_session(r) for r in rows]

    async def all(self) -> list[TrainingSession]:
        """Return every session, soonest first."""
        rows = await self._db.fetch_all(_SESSION_SELECT + " ORDER BY s.starts_at, s.id")
        return [_session(r) for r in rows]

    async def active_of_user(self, user_id: int, now: datetime) -> list[Booking]:
        """Return the owner's active bookings, waitlist places and offers of sessions that
        have not ended by ``now``, the soonest session first."""
        rows = await self._db.fetch_all(_ACTIVE_OF_USER, (user_id, to_db_time(now)))
        return [_booking(r) for r in rows]

    async def ended_of_user(self, user_id: int, now: datetime, limit: int) -> list[Booking]:
        """Return the owner's seats in sessions that ended by ``now`` (attended or not),
        the latest session first, at most ``limit``."""
        rows = await self._db.fetch_all(
            "SELECT b.* FROM bookings b JOIN training_sessions s ON s.id = b.session_id "
            "WHERE b.user_id = ? AND b.status = 'confirmed' AND s.ends_at <= ? "
            "ORDER BY s.starts_at DESC, b.seq DESC LIMIT ?",
            (user_id, to_db_time(now), limit),
        )
        return [_booking(r) for r in rows]

    async def count_ended_of_user(self, user_id: int, now: datetime) -> int:
        """How many seats the owner had in sessions that ended by ``now``."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM bookings b JOIN training_sessions s ON s.id = b.session_id "
            "WHERE b.user_id = ? AND b.status = 'confirmed' AND s.ends_at <= ?",
            (user_id, to_db_time(now)),
        )
        return int(row[0]) if row else 0

    async def all_bookings(self) -> list[Booking]:
        """Return every booking row (for exports and statistics)."""
        rows = await self._db.fetch_all("SELECT * FROM bookings ORDER BY session_id, seq")
        return [_booking(r) for r in rows]

    async def waitlist_rank(self, booking: Booking) -> int:
        """Return the 1-based place of a waitlisted booking in its session's queue."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM bookings WHERE session_id = ? AND status = 'waitlisted' "
            "AND seq <= ?",
            (booking.session_id, booking.seq),
        )
        return int(row[0]) if row else 0

    # --- inside a transaction ---

    async def lock_session(self, tx: Transaction, session_id: int) -> TrainingSession | None:
        """Read a session inside the write transaction (the write lock is already held)."""
        row = await _one(tx, _SESSION_SELECT + " WHERE s.id = ?", (session_id,))
        return _session(row) if row else None

    async def insert_session(
        self,
        tx: Transaction,
        values: dict[str, Any],
        created_by: int | None,
        now: datetime,
    ) -> int:
        """Insert a session; return its id."""
        columns = ", ".join(SESSION_COLUMNS)
        marks = ", ".join("?" * len(SESSION_COLUMNS))
        cursor = await connection(tx).execute(
            f"INSERT INTO training_sessions ({columns}, created_by, created_at, updated_at) "
            f"VALUES ({marks}, ?, ?, ?)",
            (
                *(_db_value(c, values.get(c)) for c in SESSION_COLUMNS),
                created_by,
                to_db_time(now),
                to_db_time(now),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def update_session(
        self, tx: Transaction, session_id: int, changes: dict[str, Any], now: datetime
    ) -> None:
        """Change some columns of a session (names from SESSION_COLUMNS or ``status``)."""
        allowed = {*SESSION_COLUMNS, "status"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown session columns {sorted(unknown)}")
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await connection(tx).execute(
            f"UPDATE training_sessions SET {assignments}, updated_at = ? WHERE id = ?",
            (*(_db_value(c, v) for c, v in changes.items()), to_db_time(now), session_id),
        )

    async def next_sequence(self, tx: Transaction, session_id: int) -> int:
        """Raise the session's calendar revision by one; return the new value."""
        await connection(tx).execute(
            "UPDATE training_sessions SET calendar_sequence = calendar_sequence + 1 WHERE id = ?",
            (session_id,),
        )
        row = await _one(
            tx, "SELECT calendar_sequence FROM training_sessions WHERE id = ?", (session_id,)
        )
        assert row is not None
        return int(row[0])

    async def user_active(self, tx: Transaction, user_id: int, now: datetime) -> list[Booking]:
        """The owner's active bookings of sessions not ended by ``now``, inside the transaction.

        A session that has ended holds nobody's place any more, attended or not: these are
        what counts against the limit of sessions one owner may hold at once.
        """
        rows = await _all(tx, _ACTIVE_OF_USER, (user_id, to_db_time(now)))
        return [_booking(r) for r in rows]

    async def booking(self, tx: Transaction, booking_id: int) -> Booking | None:
        """One booking, read inside the transaction."""
        row = await _one(tx, "SELECT * FROM bookings WHERE id = ?", (booking_id,))
        return _booking(row) if row else None

    async def insert_booking(
        self,
        tx: Transaction,
        session_id: int,
        user_id: int,
        status: BookingStatus,
        now: datetime,
    ) -> Booking:
        """Add an owner to a session as confirmed or waitlisted; ``seq`` keeps arrival order."""
        seq_row = await _one(tx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM bookings", ())
        seq = int(seq_row[0]) if seq_row else 1
        cursor = await connection(tx).execute(
            "INSERT INTO bookings (session_id, user_id, status, seq, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (session_id, user_id, status, seq, to_db_time(now), to_db_time(now)),
        )
        booking = await self.booking(tx, cursor.lastrowid or 0)
        assert booking is not None
        return booking

    async def set_booking_status(
        self,
        tx: Transaction,
        booking_id: int,
        status: BookingStatus,
        now: datetime,
        offer_expires_at: datetime | None = None,
    ) -> None:
        """Move a booking to another status."""
        await connection(tx).execute(
            "UPDATE bookings SET status = ?, offer_expires_at = ?, updated_at = ? WHERE id = ?",
            (
                status,
                to_db_time(offer_expires_at) if offer_expires_at else None,
                to_db_time(now),
                booking_id,
            ),
        )

    async def next_waiting(self, tx: Transaction, session_id: int) -> Booking | None:
        """The first owner still waiting for a seat in the session."""
        row = await _one(
            tx,
            "SELECT * FROM bookings WHERE session_id = ? AND status = 'waitlisted' "
            "ORDER BY seq LIMIT 1",
            (session_id,),
        )
        return _booking(row) if row else None

    async def session_active(self, tx: Transaction, session_id: int) -> list[Booking]:
        """All active bookings of a session, inside the transaction."""
        rows = await _all(
            tx,
            "SELECT * FROM bookings WHERE session_id = ? "
            "AND status IN ('confirmed', 'offered', 'waitlisted') ORDER BY seq",
            (session_id,),
        )
        return [_booking(r) for r in rows]

    async def expired_offers(self, tx: Transaction, now: datetime) -> list[Booking]:
        """Offers whose hold window has passed."""
        rows = await _all(
            tx,
            "SELECT * FROM bookings WHERE status = 'offered' AND offer_expires_at <= ? "
            "ORDER BY offer_expires_at, seq",
            (to_db_time(now),),
        )
        return [_booking(r) for r in rows]

    async def booking_by_id(self, booking_id: int) -> Booking | None:
        """One booking, committed state."""
        row = await self._db.fetch_one("SELECT * FROM bookings WHERE id = ?", (booking_id,))
        return _booking(row) if row else None

    async def waiting_in_started(self, tx: Transaction, now: datetime) -> list[Booking]:
        """Waitlist places of sessions that have already started."""
        rows = await _all(
            tx,
            "SELECT b.* FROM bookings b JOIN training_sessions s ON s.id = b.session_id "
            "WHERE b.status = 'waitlisted' AND s.starts_at <= ? ORDER BY b.seq",
            (to_db_time(now),),
        )
        return [_booking(r) for r in rows]

    async def mark_will_attend(self, tx: Transaction, booking_id: int, now: datetime) -> None:
        """Record that the owner said they will come."""
        await connection(tx).execute(
            "UPDATE bookings SET will_attend_at = ? WHERE id = ?", (to_db_time(now), booking_id)
        )

    async def will_attend_at(self, booking_id: int) -> datetime | None:
        """When the owner said they will come (committed state), or None."""
        row = await self._db.fetch_one(
            "SELECT will_attend_at FROM bookings WHERE id = ?", (booking_id,)
        )
        return from_db_time(row[0]) if row and row[0] else None

"""Attendance (check-in codes, who came) and attendees' feedback."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import Headcount as Headcount
from bot.core.models import RosterLine as RosterLine
from bot.core.models import SessionFeedback as SessionFeedback
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time

# Who attended, in every view (/kelas, /peserta, /statistik, the export): a seat that is still
# confirmed and whose owner was checked in, by the QR link or the trainer's tick. A seat cannot
# be cancelled or moved after check-in, so an attendee keeps it; an older row cancelled after
# its check-in (before that rule) counts in no view. Every query below says it with this.
ATTENDED = "(b.status = 'confirmed' AND b.attended_at IS NOT NULL)"


class AttendanceRepository:
    """All SQL about attendance and feedback."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_checkin_code(self, session_id: int, code: str) -> str:
        """Give a session its check-in code unless it has one; return the code it has."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE training_sessions SET checkin_code = COALESCE(checkin_code, ?) "
                "WHERE id = ?",
                (code, session_id),
            )
            async with tx.execute(
                "SELECT checkin_code FROM training_sessions WHERE id = ?", (session_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return str(row[0])

    async def session_by_checkin(self, code: str) -> int | None:
        """The session a check-in code belongs to."""
        row = await self._db.fetch_one(
            "SELECT id FROM training_sessions WHERE checkin_code = ?", (code,)
        )
        return int(row[0]) if row else None

    async def confirmed_booking(
        self, tx: Transaction, session_id: int, user_id: int
    ) -> tuple[int, bool] | None:
        """The owner's confirmed booking in a session and whether they were checked in."""
        async with connection(tx).execute(
            "SELECT id, attended_at FROM bookings WHERE session_id = ? AND user_id = ? "
            "AND status = 'confirmed'",
            (session_id, user_id),
        ) as cursor:
            row = await cursor.fetchone()
        return (row["id"], row["attended_at"] is not None) if row else None

    async def booking_session(
        self, tx: Transaction, booking_id: int
    ) -> tuple[int, int, bool] | None:
        """(session id, user id, attended) of a confirmed booking."""
        async with connection(tx).execute(
            "SELECT session_id, user_id, attended_at FROM bookings WHERE id = ? "
            "AND status = 'confirmed'",
            (booking_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return (row["session_id"], row["user_id"], row["attended_at"] is not None) if row else None

    async def set_attended(
        self, tx: Transaction, booking_id: int, moment: datetime | None
    ) -> None:
        """Record (or, with None, clear) attendance."""
        await connection(tx).execute(
            "UPDATE bookings SET attended_at = ? WHERE id = ?",
            (to_db_time(moment) if moment else None, booking_id),
        )

    async def roster(self, session_id: int) -> list[RosterLine]:
        """Everyone with a confirmed seat, by name."""
        rows = await self._db.fetch_all(
            f"SELECT b.id, b.user_id, {ATTENDED} AS attended, p.full_name, p.business_name "
            "FROM bookings b JOIN owner_profiles p ON p.user_id = b.user_id "
            "WHERE b.session_id = ? AND b.status = 'confirmed' ORDER BY p.full_name",
            (session_id,),
        )
        return [
            RosterLine(
                r["id"], r["user_id"], r["full_name"], r["business_name"], bool(r["attended"])
            )
            for r in rows
        ]

    async def save_rating(self, booking_id: int, stars: int, now: datetime) -> None:
        """Store (or change) an attendee's star rating."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO feedback (booking_id, stars, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (booking_id) DO UPDATE SET stars = excluded.stars",
                (booking_id, stars, to_db_time(now)),
            )

    async def save_comment(self, booking_id: int, comment: str) -> bool:
        """Add a comment to a rating; False if there is no rating yet."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE feedback SET comment = ? WHERE booking_id = ?", (comment, booking_id)
            )
            return cursor.rowcount == 1

    async def attendee_of(self, booking_id: int) -> tuple[int, int] | None:
        """(user id, session id) of a booking whose owner attended."""
        row = await self._db.fetch_one(
            "SELECT user_id, session_id FROM bookings WHERE id = ? AND attended_at IS NOT NULL",
            (booking_id,),
        )
        return (row["user_id"], row["session_id"]) if row else None

    async def headcounts(self, session_id: int | None = None) -> dict[int, Headcount]:
        """Confirmed seats and attendees per session (one session, or all that have bookings).

        The one count of attendance: every view that shows how many came reads it here.
        """
        where, params = (
            ("WHERE b.session_id = ? ", (session_id,)) if session_id is not None else ("", ())
        )
        rows = await self._db.fetch_all(
            "SELECT b.session_id, SUM(b.status = 'confirmed') AS booked, "
            f"SUM({ATTENDED}) AS attended FROM bookings b {where}GROUP BY b.session_id",
            params,
        )
        return {r["session_id"]: Headcount(r["booked"] or 0, r["attended"] or 0) for r in rows}

    async def per_session(self) -> list[SessionFeedback]:
        """Attendance and average rating per session."""
        headcounts = await self.headcounts()
        rows = await self._db.fetch_all(
            "SELECT s.id, s.title, "
            "(SELECT COUNT(*) FROM feedback f JOIN bookings b ON b.id = f.booking_id "
            " WHERE b.session_id = s.id) AS ratings, "
            "(SELECT AVG(f.stars) FROM feedback f JOIN bookings b ON b.id = f.booking_id "
            " WHERE b.session_id = s.id) AS average "
            "FROM training_sessions s ORDER BY s.starts_at"
        )
        return [
            SessionFeedback(
                r["id"],
                r["title"],
                headcounts.get(r["id"], Headcount()).attended,
                r["ratings"],
                r["average"],
            )
            for r in rows
        ]

    async def comments(self, session_id: int) -> list[tuple[int, str, datetime]]:
        """(stars, comment, when) of a session's feedback with comments."""
        rows = await self._db.fetch_all(
            "SELECT f.stars, f.comment, f.created_at FROM feedback f "
            "JOIN bookings b ON b.id = f.booking_id WHERE b.session_id = ? "
            "AND f.comment IS NOT NULL ORDER BY f.created_at",
            (session_id,),
        )
        return [(r["stars"], r["comment"], from_db_time(r["created_at"])) for r in rows]

"""Read-only reports for staff: programme statistics and the people booked into a session."""

from __future__ import annotations

from bot.core.models import BookingStatus, SessionStatus
from bot.core.models import Participant as Participant
from bot.core.models import SessionFill as SessionFill
from storage.attendance import ATTENDED
from storage.database import Database


class StatsRepository:
    """All SQL behind /statistik and /peserta."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def participants(self, session_id: int) -> list[Participant]:
        """Active bookings of a session in arrival order, joined with the owners' profiles."""
        rows = await self._db.fetch_all(
            f"SELECT b.user_id, b.status, {ATTENDED} AS attended, p.full_name, p.business_name, "
            "p.phone, "
            "u.unreachable_at FROM bookings b "
            "LEFT JOIN owner_profiles p ON p.user_id = b.user_id "
            "LEFT JOIN users u ON u.id = b.user_id "
            "WHERE b.session_id = ? AND b.status IN ('confirmed', 'offered', 'waitlisted') "
            "ORDER BY b.seq",
            (session_id,),
        )
        return [
            Participant(
                user_id=r["user_id"],
                status=BookingStatus(r["status"]),
                full_name=r["full_name"],
                business_name=r["business_name"],
                phone=r["phone"],
                attended=bool(r["attended"]),
                unreachable=r["unreachable_at"] is not None,
            )
            for r in rows
        ]

    async def owner_count(self) -> int:
        """How many owners finished sign-up."""
        return await self._count("SELECT COUNT(*) FROM owner_profiles")

    async def erasure_count(self) -> int:
        """How many owners erased their data."""
        return await self._count("SELECT COUNT(*) FROM erasures")

    async def counts_by(self, column: str) -> list[tuple[str, int]]:
        """Owners per ``kecamatan`` or ``category``, largest first."""
        if column not in ("kecamatan", "category"):
            raise ValueError(column)
        rows = await self._db.fetch_all(
            f"SELECT {column} AS value, COUNT(*) AS n FROM owner_profiles "
            f"GROUP BY {column} ORDER BY n DESC, {column}"
        )
        return [(r["value"], r["n"]) for r in rows]

    async def session_fill(self) -> list[SessionFill]:
        """Every session not cancelled, with its seat counts, soonest first."""
        rows = await self._db.fetch_all(
            "SELECT s.id, s.title, s.status, s.capacity, "
            "SUM(b.status = 'confirmed') AS confirmed, SUM(b.status = 'offered') AS offered, "
            "SUM(b.status = 'waitlisted') AS waitlisted "
            "FROM training_sessions s LEFT JOIN bookings b ON b.session_id = s.id "
            "WHERE s.status != 'cancelled' GROUP BY s.id ORDER BY s.starts_at, s.id"
        )
        return [
            SessionFill(
                session_id=r["id"],
                title=r["title"],
                status=SessionStatus(r["status"]),
                capacity=r["capacity"],
                confirmed=r["confirmed"] or 0,
                offered=r["offered"] or 0,
                waitlisted=r["waitlisted"] or 0,
            )
            for r in rows
        ]

    async def _count(self, sql: str) -> int:
        row = await self._db.fetch_one(sql)
        return int(row[0]) if row else 0

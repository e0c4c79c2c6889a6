"""Attendance in storage: one rule (a confirmed seat whose owner was checked in), every count."""

from __future__ import annotations

from datetime import timedelta

from storage.attendance import AttendanceRepository, Headcount
from storage.database import Database
from storage.sessions import SessionRepository
from storage.stats import StatsRepository
from tests.storage.conftest import T0

START = T0 + timedelta(days=11)


async def seeded(db: Database) -> int:
    """A session with four bookings: checked in, booked, waiting, and checked in then cancelled
    (as the old bug left a row); return the session id."""
    sessions, attendance = SessionRepository(db), AttendanceRepository(db)
    async with db.transaction() as tx:
        for user_id in (1, 2, 3, 4):
            await tx.execute(
                "INSERT INTO users (id, language, created_at, last_seen_at) "
                "VALUES (?, 'id', ?, ?)",
                (user_id, T0.isoformat(), T0.isoformat()),
            )
        values = {
            "code": "abc12345",
            "title": "Foto produk",
            "starts_at": START,
            "ends_at": START + timedelta(hours=2),
            "capacity": 3,
            "cutoff_at": START - timedelta(hours=2),
            "venue_name": "Balai Kota",
        }
        session_id = await sessions.insert_session(tx, values, None, T0)
        came = await sessions.insert_booking(tx, session_id, 1, "confirmed", T0)
        await sessions.insert_booking(tx, session_id, 2, "confirmed", T0)
        await sessions.insert_booking(tx, session_id, 3, "waitlisted", T0)
        left = await sessions.insert_booking(tx, session_id, 4, "confirmed", T0)
        await attendance.set_attended(tx, came.id, START)
        await attendance.set_attended(tx, left.id, START)
        await sessions.set_booking_status(tx, left.id, "cancelled", START)
    return session_id


async def test_every_count_of_attendance_agrees(db: Database) -> None:
    session_id = await seeded(db)
    attendance = AttendanceRepository(db)
    assert await attendance.headcounts() == {session_id: Headcount(booked=2, attended=1)}
    assert await attendance.headcounts(session_id) == {session_id: Headcount(2, 1)}
    assert await attendance.headcounts(session_id + 1) == {}
    (feedback,) = await attendance.per_session()
    assert feedback.attended == 1
    people = await StatsRepository(db).participants(session_id)
    assert [(p.user_id, p.attended) for p in people] == [(1, True), (2, False), (3, False)]

"""Practice tasks after a session (who got which task, done, snoozed, asked for help)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.ports import Transaction
from bot.core.practice import PracticeTask, TaskStatus
from storage.attendance import ATTENDED
from storage.database import Database, connection, from_db_time, to_db_time

_SELECT = (
    "SELECT p.*, b.session_id, s.title, s.trainer_id, "
    f"{ATTENDED} AS attended "
    "FROM practice_tasks p JOIN bookings b ON b.id = p.booking_id "
    "JOIN training_sessions s ON s.id = b.session_id "
)


def _time(value: str | None) -> datetime | None:
    return from_db_time(value) if value else None


def _task(row: aiosqlite.Row) -> PracticeTask:
    return PracticeTask(
        id=row["id"],
        booking_id=row["booking_id"],
        user_id=row["user_id"],
        task_id=row["task_id"],
        required=bool(row["required"]),
        status=TaskStatus(row["status"]),
        snoozes=row["snoozes"],
        due_at=from_db_time(row["due_at"]),
        done_at=_time(row["done_at"]),
        help_at=_time(row["help_at"]),
        session_id=row["session_id"],
        session_title=row["title"],
        trainer_id=row["trainer_id"],
        attended=bool(row["attended"]),
        proof_link=row["proof_link"],
        proof_file=row["proof_file"],
        review_note=row["review_note"],
    )


class PracticeRepository:
    """All SQL about practice tasks and who stopped them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        task_id: str,
        required: bool,
        due_at: datetime,
    ) -> int | None:
        """Give the attendee a task (once per booking); None if they have it already."""
        cursor = await connection(tx).execute(
            "INSERT OR IGNORE INTO practice_tasks "
            "(booking_id, user_id, task_id, required, due_at) VALUES (?, ?, ?, ?, ?)",
            (booking_id, user_id, task_id, int(required), to_db_time(due_at)),
        )
        return cursor.lastrowid if cursor.rowcount else None

    async def get(self, row_id: int) -> PracticeTask | None:
        """One given task with its session."""
        row = await self._db.fetch_one(_SELECT + "WHERE p.id = ?", (row_id,))
        return _task(row) if row else None

    async def of_user(self, user_id: int) -> list[PracticeTask]:
        """Every task the person was given, in the order they fall due."""
        rows = await self._db.fetch_all(
            _SELECT + "WHERE p.user_id = ? ORDER BY p.due_at, p.id", (user_id,)
        )
        return [_task(r) for r in rows]

    async def of_booking(self, booking_id: int) -> list[PracticeTask]:
        """The tasks given for one booking."""
        rows = await self._db.fetch_all(
            _SELECT + "WHERE p.booking_id = ? ORDER BY p.due_at, p.id", (booking_id,)
        )
        return [_task(r) for r in rows]

    async def finish(self, tx: Transaction, row_id: int, now: datetime) -> bool:
        """Mark an open task done; False if it was not open."""
        cursor = await connection(tx).execute(
            "UPDATE practice_tasks SET status = 'done', done_at = ? "
            "WHERE id = ? AND status = 'open'",
            (to_db_time(now), row_id),
        )
        return cursor.rowcount == 1

    async def snooze(self, tx: Transaction, row_id: int, due_at: datetime, most: int) -> bool:
        """Ask again at ``due_at``; False if it is not open or was put off ``most`` times."""
        cursor = await connection(tx).execute(
            "UPDATE practice_tasks SET snoozes = snoozes + 1, due_at = ? "
            "WHERE id = ? AND status = 'open' AND snoozes < ?",
            (to_db_time(due_at), row_id, most),
        )
        return cursor.rowcount == 1

    async def asked_help(self, tx: Transaction, row_id: int, now: datetime) -> bool:
        """Record that the owner asked for help with an open task."""
        cursor = await connection(tx).execute(
            "UPDATE practice_tasks SET help_at = ? WHERE id = ? AND status = 'open'",
            (to_db_time(now), row_id),
        )
        return cursor.rowcount == 1

    async def submit(
        self, tx: Transaction, row_id: int, link: str | None, file: str | None, now: datetime
    ) -> bool:
        """Keep the proof of an open task and put it up for review."""
        cursor = await connection(tx).execute(
            "UPDATE practice_tasks SET status = 'review', proof_link = ?, proof_file = ?, "
            "submitted_at = ? WHERE id = ? AND status = 'open'",
            (link, file, to_db_time(now), row_id),
        )
        return cursor.rowcount == 1

    async def accept(self, tx: Transaction, row_id: int, reviewer: int, now: datetime) -> bool:
        """The reviewer accepts the proof: the task is done."""
        cursor = await connection(tx).execute(
            "UPDATE practice_tasks SET status = 'done', done_at = ?, reviewed_by = ? "
            "WHERE id = ? AND status = 'review'",
            (to_db_time(now), reviewer, row_id),
        )
        return cursor.rowcount == 1

    async def send_back(self, tx: Transaction, row_id: int, reviewer: int, note: str) -> bool:
        """The reviewer asks for a fix: the task is open again, with the comment."""
        cursor = await connection(tx).execute(
            "UPDATE practice_tasks SET status = 'open', reviewed_by = ?, review_note = ? "
            "WHERE id = ? AND status = 'review'",
            (reviewer, note, row_id),
        )
        return cursor.rowcount == 1

    async def tasks_off(self, user_id: int) -> bool:
        """Whether the person stopped the practice tasks."""
        row = await self._db.fetch_one("SELECT tasks_off FROM users WHERE id = ?", (user_id,))
        return bool(row and row["tasks_off"])

    async def set_tasks_off(self, user_id: int, off: bool) -> None:
        """Stop or restart the person's practice tasks."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE users SET tasks_off = ? WHERE id = ?", (int(off), user_id))

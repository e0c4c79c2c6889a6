"""All SQL about FAQ entries staff made from answered tickets."""

from __future__ import annotations

import sqlite3

from bot.core.errors import StaleAction
from bot.core.questions import StaffFaqRow
from storage.database import Database, connection, from_db_time, to_db_time


class StaffFaqRepository:
    """The ``staff_faq`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, row: StaffFaqRow) -> None:
        """Store one entry; StaleAction if this ticket already made one (a second tap)."""
        try:
            async with self._db.transaction() as tx:
                await connection(tx).execute(
                    "INSERT INTO staff_faq (id, question_id, question, answer, created_by, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        row.id,
                        row.question_id,
                        row.question,
                        row.answer,
                        row.created_by,
                        to_db_time(row.created_at),
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise StaleAction(row.id) from exc

    async def all(self) -> list[StaffFaqRow]:
        """Every entry, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id, question_id, question, answer, created_by, created_at FROM staff_faq "
            "ORDER BY created_at, id"
        )
        return [
            StaffFaqRow(
                r["id"],
                r["question_id"],
                r["question"],
                r["answer"],
                r["created_by"],
                from_db_time(r["created_at"]),
            )
            for r in rows
        ]

    async def answer_of(self, question_id: int, message_id: int) -> str | None:
        """The text of a staff answer in this ticket's thread; None if it is no such thing."""
        row = await self._db.fetch_one(
            "SELECT text FROM question_messages WHERE id = ? AND question_id = ? "
            "AND author = 'staff'",
            (message_id, question_id),
        )
        return str(row["text"]) if row else None

    async def latest_answer(self, question_id: int) -> tuple[int, str] | None:
        """The id and text of the newest staff answer in this ticket's thread."""
        row = await self._db.fetch_one(
            "SELECT id, text FROM question_messages WHERE question_id = ? AND author = 'staff' "
            "ORDER BY id DESC LIMIT 1",
            (question_id,),
        )
        return (int(row["id"]), str(row["text"])) if row else None

    async def version(self) -> tuple[int, str | None]:
        """How many entries there are and the newest one's id: it changes on every add."""
        row = await self._db.fetch_one("SELECT count(*), max(rowid) FROM staff_faq")
        assert row is not None
        return int(row[0]), str(row[1]) if row[1] is not None else None

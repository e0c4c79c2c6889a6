"""All SQL about Tanya Dinas: questions, tickets and their conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.ports import Transaction
from bot.core.questions import Line, Question, QuestionFile, ThreadMessage, TicketStatus
from storage.database import Database, connection, from_db_time, to_db_time

_COLUMNS = (
    "id, user_id, channel, text, line, faq_id, helpful, session_id, status, due_at, to_trainer,"
    " first_response_at, answered_by, created_at, handed_at"
)


def _time(value: str | None) -> datetime | None:
    return from_db_time(value) if value else None


def _question(row: Any) -> Question:
    return Question(
        id=row["id"],
        user_id=row["user_id"],
        channel=row["channel"],
        text=row["text"],
        line=Line(row["line"]),
        faq_id=row["faq_id"],
        helpful=bool(row["helpful"]),
        session_id=row["session_id"],
        status=TicketStatus(row["status"]) if row["status"] else None,
        due_at=_time(row["due_at"]),
        to_trainer=bool(row["to_trainer"]),
        first_response_at=_time(row["first_response_at"]),
        answered_by=row["answered_by"],
        created_at=from_db_time(row["created_at"]),
        handed_at=_time(row["handed_at"]),
    )


class QuestionRepository:
    """Questions, tickets and threads in SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        user_id: int,
        channel: str,
        text: str,
        line: Line,
        faq_id: str | None,
        now: datetime,
    ) -> int:
        """Record a question and the line that answered it; return its id (never reused:
        staff keep cards naming the ids of erased owners' questions)."""
        async with self._db.transaction() as tx:
            return await self.add_in(tx, user_id, channel, text, line, faq_id, now)

    async def add_in(
        self,
        tx: Transaction,
        user_id: int,
        channel: str,
        text: str,
        line: Line,
        faq_id: str | None,
        now: datetime,
    ) -> int:
        """:meth:`add` inside the caller's transaction (a ticket opened together with what
        caused it, e.g. a practice task's "Butuh bantuan")."""
        conn = connection(tx)
        async with conn.execute(
            "UPDATE id_allocator SET next_id = next_id + 1 WHERE name = 'questions' "
            "RETURNING next_id - 1"
        ) as cursor:
            allocated = await cursor.fetchone()
        assert allocated is not None, "migration 0019 creates the allocator row"
        question_id = int(allocated[0])
        await conn.execute(
            "INSERT INTO questions (id, user_id, channel, text, line, faq_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (question_id, user_id, channel, text, line.value, faq_id, to_db_time(now)),
        )
        return question_id

    async def get(self, question_id: int) -> Question | None:
        """One question, committed state."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM questions WHERE id = ?", (question_id,)
        )
        return _question(row) if row else None

    async def lock(self, tx: Transaction, question_id: int) -> Question | None:
        """One question, read inside the transaction."""
        cursor = await connection(tx).execute(
            f"SELECT {_COLUMNS} FROM questions WHERE id = ?", (question_id,)
        )
        row = await cursor.fetchone()
        return _question(row) if row else None

    async def queued(self, tx: Transaction, question_id: int) -> bool:
        """Whether the ticket was queued to anyone already (read inside the transaction)."""
        cursor = await connection(tx).execute(
            "SELECT 1 FROM outbox WHERE kind = 'question_ticket' "
            "AND json_extract(params, '$.question') = ? LIMIT 1",
            (question_id,),
        )
        return await cursor.fetchone() is not None

    async def count_since(self, user_id: int, since: datetime) -> int:
        """How often the owner's questions went to a person since ``since``: tickets
        handed over, and additions to them (FAQ answers and offers are not counted)."""
        at = to_db_time(since)
        row = await self._db.fetch_one(
            "SELECT (SELECT COUNT(*) FROM questions WHERE user_id = ? AND handed_at >= ?) + "
            "(SELECT COUNT(*) FROM question_messages m JOIN questions q ON q.id = m.question_id "
            " WHERE q.user_id = ? AND m.author = 'owner' AND m.at >= ? AND m.id > "
            " (SELECT MIN(id) FROM question_messages WHERE question_id = q.id))",
            (user_id, at, user_id, at),
        )
        return int(row[0]) if row else 0

    async def unassigned(self) -> list[Question]:
        """Open tickets no one has been queued to yet (no staff was reachable then)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM questions q WHERE status = 'open' AND NOT EXISTS "
            "(SELECT 1 FROM outbox o WHERE o.kind = 'question_ticket' "
            " AND json_extract(o.params, '$.question') = q.id) ORDER BY id"
        )
        return [_question(row) for row in rows]

    async def latest_thread(self, user_id: int) -> Question | None:
        """The owner's latest ticket that is not closed, if any."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM questions WHERE user_id = ? AND status IN "
            "('open', 'answered') ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return _question(row) if row else None

    async def set_faq(self, question_id: int, line: Line, faq_id: str | None) -> None:
        """Note the FAQ entry the owner picked."""
        async with self._db.transaction() as tx:
            await connection(tx).execute(
                "UPDATE questions SET line = ?, faq_id = ? WHERE id = ?",
                (line.value, faq_id, question_id),
            )

    async def mark_helpful(self, question_id: int) -> None:
        """Note the owner's "👍 Terjawab"."""
        async with self._db.transaction() as tx:
            await connection(tx).execute(
                "UPDATE questions SET helpful = 1 WHERE id = ?", (question_id,)
            )

    async def hand_over(
        self,
        tx: Transaction,
        question_id: int,
        session_id: int | None,
        to_trainer: bool,
        due_at: datetime,
        now: datetime,
    ) -> None:
        """Make the question a ticket, promised for ``due_at``."""
        await connection(tx).execute(
            "UPDATE questions SET line = 'person', status = 'open', session_id = ?, "
            "to_trainer = ?, due_at = ?, handed_at = ? WHERE id = ?",
            (session_id, int(to_trainer), to_db_time(due_at), to_db_time(now), question_id),
        )

    async def set_status(self, tx: Transaction, question_id: int, status: TicketStatus) -> None:
        """Move a ticket to ``status``."""
        await connection(tx).execute(
            "UPDATE questions SET status = ? WHERE id = ?", (status.value, question_id)
        )

    async def answered(self, tx: Transaction, question_id: int, by: int, now: datetime) -> None:
        """Note a person's answer (the first one sets the first-response time)."""
        await connection(tx).execute(
            "UPDATE questions SET status = 'answered', answered_by = ?, "
            "first_response_at = COALESCE(first_response_at, ?) WHERE id = ?",
            (by, to_db_time(now), question_id),
        )

    async def reopen(self, tx: Transaction, question_id: int, due_at: datetime) -> None:
        """Open a ticket again (the owner wrote back), promised for ``due_at``."""
        await connection(tx).execute(
            "UPDATE questions SET status = 'open', due_at = ? WHERE id = ?",
            (to_db_time(due_at), question_id),
        )

    async def to_staff_only(self, tx: Transaction, question_id: int) -> None:
        """Take the session's trainer off the ticket."""
        await connection(tx).execute(
            "UPDATE questions SET to_trainer = 0 WHERE id = ?", (question_id,)
        )

    async def add_message(
        self,
        tx: Transaction,
        question_id: int,
        author: str,
        author_id: int | None,
        text: str,
        now: datetime,
    ) -> int:
        """Add a message to a ticket's conversation; return its id."""
        cursor = await connection(tx).execute(
            "INSERT INTO question_messages (question_id, author, author_id, text, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (question_id, author, author_id, text, to_db_time(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def thread(self, question_id: int) -> list[ThreadMessage]:
        """A ticket's conversation, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT author, author_id, text, at FROM question_messages WHERE question_id = ? "
            "ORDER BY id",
            (question_id,),
        )
        return [
            ThreadMessage(r["author"], r["author_id"], r["text"], from_db_time(r["at"]))
            for r in rows
        ]

    async def message(self, message_id: int) -> ThreadMessage | None:
        """One message of a conversation."""
        row = await self._db.fetch_one(
            "SELECT author, author_id, text, at FROM question_messages WHERE id = ?",
            (message_id,),
        )
        if row is None:
            return None
        return ThreadMessage(row["author"], row["author_id"], row["text"], from_db_time(row["at"]))

    async def ticket_for_sent(self, user_id: int, sent_id: str) -> int | None:
        """The ticket a message the bot sent to ``user_id`` (its channel id) was about."""
        row = await self._db.fetch_one(
            "SELECT json_extract(params, '$.question') FROM outbox WHERE user_id = ? "
            "AND CAST(message_id AS TEXT) = ? "
            "AND kind IN ('question_ticket', 'question_due', 'question_answer', 'question_file') "
            "ORDER BY id DESC LIMIT 1",
            (user_id, sent_id),
        )
        return int(row[0]) if row and row[0] is not None else None

    async def of_user(self, user_id: int) -> list[Question]:
        """Every question of one owner, oldest first (for /datasaya)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM questions WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [_question(r) for r in rows]

    async def all(self) -> list[Question]:
        """Every question (for /statistik)."""
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM questions ORDER BY id")
        return [_question(r) for r in rows]

    async def add_file(
        self,
        tx: Transaction,
        question_id: int,
        sha256: str,
        kind: str,
        name: str | None,
        now: datetime,
    ) -> int:
        """Record a kept file sent with a question; return its id."""
        cursor = await connection(tx).execute(
            "INSERT INTO question_files (question_id, sha256, kind, name, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (question_id, sha256, kind, name, to_db_time(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def file(self, file_id: int) -> QuestionFile | None:
        """One file sent with a question."""
        row = await self._db.fetch_one(
            "SELECT id, question_id, sha256, kind, name, at FROM question_files WHERE id = ?",
            (file_id,),
        )
        return _file(row) if row else None

    async def files_of(self, question_id: int) -> list[QuestionFile]:
        """The files sent with a question, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id, question_id, sha256, kind, name, at FROM question_files "
            "WHERE question_id = ? ORDER BY id",
            (question_id,),
        )
        return [_file(r) for r in rows]

    async def latest(self, user_id: int) -> Question | None:
        """The owner's newest question of any line."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM questions WHERE user_id = ? ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return _question(row) if row else None


def _file(row: Any) -> QuestionFile:
    return QuestionFile(
        row["id"],
        row["question_id"],
        row["sha256"],
        row["kind"],
        row["name"],
        from_db_time(row["at"]),
    )

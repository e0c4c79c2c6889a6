"""Owner profiles, consents and erasure."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.models import PROFILE_FIELDS as PROFILE_FIELDS
from bot.core.models import Consent, OwnerProfile
from bot.core.notices import NoticeKind
from storage.database import Database, from_db_time, to_db_time

# What the programme keeps after a person's erasure no longer says who they were.
_FORGET_PERSON = (
    "UPDATE training_sessions SET trainer_id = NULL WHERE trainer_id = :user",
    "UPDATE training_sessions SET created_by = NULL WHERE created_by = :user",
    "DELETE FROM trainer_invites WHERE used_by = :user OR created_by = :user",
    "DELETE FROM broadcast_status_messages WHERE broadcast_id IN "
    "(SELECT id FROM broadcasts WHERE created_by = :user)",
    "UPDATE broadcasts SET created_by = 0 WHERE created_by = :user",
    # a staff member's or trainer's answers stay in the owners' threads, unattributed
    "UPDATE questions SET answered_by = NULL WHERE answered_by = :user",
    "UPDATE question_messages SET author_id = NULL WHERE author_id = :user",
)
# outbox rows that name a question; the row that overwrites a card staff got with a neutral text
_QUESTION_KINDS = (
    NoticeKind.QUESTION_TICKET.value,
    NoticeKind.QUESTION_DUE.value,
    NoticeKind.QUESTION_ANSWER.value,
    NoticeKind.QUESTION_FILE.value,  # a file the person sent, queued to staff
)
_ERASED_KIND = NoticeKind.QUESTION_ERASED.value


class AlreadyRegistered(Exception):
    """The owner already has a profile."""


def profile_from_row(row: aiosqlite.Row) -> OwnerProfile:
    """Build an OwnerProfile from an owner_profiles row."""
    return OwnerProfile(
        user_id=row["user_id"],
        full_name=row["full_name"],
        business_name=row["business_name"],
        category=row["category"],
        kecamatan=row["kecamatan"],
        phone=row["phone"],
        marketplaces=tuple(json.loads(row["marketplaces"])),
        nib=row["nib"],
        registered_at=from_db_time(row["registered_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


def _column_value(field: str, value: Any) -> Any:
    return json.dumps(list(value)) if field == "marketplaces" else value


class OwnerRepository:
    """All SQL about owners' personal data."""

    def __init__(self, db: Database, queued: Callable[[datetime], None] | None = None) -> None:
        self._db = db
        self._queued = queued  # told the due time of the messages an erasure queues

    async def get(self, user_id: int) -> OwnerProfile | None:
        """Return the owner's profile, or None if they have not signed up."""
        row = await self._db.fetch_one(
            "SELECT * FROM owner_profiles WHERE user_id = ?", (user_id,)
        )
        return profile_from_row(row) if row else None

    async def create(
        self, user_id: int, values: dict[str, Any], consent: Consent, now: datetime
    ) -> OwnerProfile:
        """Store a new profile and its consent, ending the sign-up dialog, in one transaction."""
        columns = ", ".join(PROFILE_FIELDS)
        params = [_column_value(f, values.get(f)) for f in PROFILE_FIELDS]
        async with self._db.transaction() as conn:
            existing = await conn.execute(
                "SELECT 1 FROM owner_profiles WHERE user_id = ?", (user_id,)
            )
            if await existing.fetchone():
                raise AlreadyRegistered(user_id)
            await conn.execute(
                f"INSERT INTO owner_profiles (user_id, {columns}, registered_at, updated_at) "
                f"VALUES (?, {', '.join('?' * len(PROFILE_FIELDS))}, ?, ?)",
                (user_id, *params, to_db_time(now), to_db_time(now)),
            )
            await conn.execute(
                "INSERT INTO consents (user_id, purpose, version, granted_at) VALUES (?, ?, ?, ?)",
                (user_id, consent.purpose, consent.version, to_db_time(consent.granted_at)),
            )
            await conn.execute("UPDATE users SET pending_start = NULL WHERE id = ?", (user_id,))
            await conn.execute("DELETE FROM dialogs WHERE user_id = ?", (user_id,))
        profile = await self.get(user_id)
        assert profile is not None
        return profile

    async def update_field(self, user_id: int, field: str, value: Any, now: datetime) -> bool:
        """Change one profile field; return False if the owner has no profile."""
        if field not in PROFILE_FIELDS:
            raise ValueError(f"unknown profile field {field!r}")
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE owner_profiles SET {field} = ?, updated_at = ? WHERE user_id = ?",
                (_column_value(field, value), to_db_time(now), user_id),
            )
            return cursor.rowcount == 1

    async def consents(self, user_id: int) -> list[Consent]:
        """Return the consents the owner gave, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT purpose, version, granted_at FROM consents WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return [Consent(r["purpose"], r["version"], from_db_time(r["granted_at"])) for r in rows]

    async def remember_start(self, user_id: int, payload: str | None) -> None:
        """Keep a deep-link payload until sign-up is done."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET pending_start = ? WHERE id = ?", (payload, user_id)
            )

    async def pending_start(self, user_id: int) -> str | None:
        """Return the remembered deep-link payload, if any."""
        row = await self._db.fetch_one("SELECT pending_start FROM users WHERE id = ?", (user_id,))
        return row["pending_start"] if row else None

    async def erase(self, user_id: int, now: datetime) -> bool:
        """Delete every personal record of the user and count the erasure anonymously.

        Rows keyed to the user go with the ``users`` row (profile, consents, bookings with
        attendance and feedback, tips, queued messages); roles and the Telegram name of staff
        and trainers are deleted, and the programme's own records (sessions, announcements)
        no longer point at them. The cards and reminders staff were queued about the person's
        questions go too; those already sent are overwritten with a neutral text (a
        ``question_erased`` row each). The write-ahead log is emptied afterwards.
        """
        async with self._db.transaction() as conn:
            await conn.execute(  # what channels said of the person's messages goes first
                "DELETE FROM delivery_statuses WHERE message_id IN "
                "(SELECT message_id FROM outbox WHERE user_id = ? AND message_id IS NOT NULL)",
                (user_id,),
            )
            files = await conn.execute_fetchall(  # files sent with questions, task proofs
                "SELECT DISTINCT f.sha256 FROM question_files f JOIN questions q "
                "ON q.id = f.question_id WHERE q.user_id = ? UNION "
                "SELECT proof_file FROM practice_tasks "
                "WHERE user_id = ? AND proof_file IS NOT NULL",
                (user_id, user_id),
            )
            stamp = to_db_time(now)
            cards = await conn.execute(  # the cards staff hold get a neutral text instead
                "INSERT INTO outbox (user_id, kind, params, priority, due_at, created_at) "
                "SELECT user_id, ?, json_object('message', message_id), 3, ?, ? FROM outbox "
                "WHERE kind IN (?, ?) AND status = 'sent' AND message_id IS NOT NULL "
                "AND json_extract(params, '$.question') IN "
                "(SELECT id FROM questions WHERE user_id = ?)",
                (_ERASED_KIND, stamp, stamp, *_QUESTION_KINDS[:2], user_id),
            )
            await conn.execute(  # staff's cards and reminders about the person's questions
                "DELETE FROM outbox WHERE kind IN (?, ?, ?, ?) AND json_extract(params, "
                "'$.question') IN (SELECT id FROM questions WHERE user_id = ?)",
                (*_QUESTION_KINDS, user_id),
            )
            cursor = await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
            await _sweep_files(conn, [str(row[0]) for row in files])
            roles = await conn.execute("DELETE FROM user_roles WHERE user_id = ?", (user_id,))
            if cursor.rowcount == 0 and roles.rowcount == 0:
                return False
            for sql in _FORGET_PERSON:
                await conn.execute(sql, {"user": user_id})
            await conn.execute(
                "INSERT INTO erasures (erased_at) VALUES (?)", (now.date().isoformat(),)
            )
        await self._db.forget_deleted()
        if cards.rowcount and self._queued is not None:
            self._queued(now)
        return True

    async def erasure_count(self) -> int:
        """Return how many owners had their data erased."""
        row = await self._db.fetch_one("SELECT COUNT(*) FROM erasures")
        return int(row[0]) if row else 0


async def _sweep_files(conn: aiosqlite.Connection, digests: list[str]) -> None:
    """Delete kept files the erased person sent that nothing else names any more.

    A file some other record still needs (a broadcast, another question, or a table this
    function does not know, whose foreign key refuses the delete) is kept.
    """
    for sha256 in digests:
        await conn.execute("SAVEPOINT sweep")
        try:
            await conn.execute(
                "DELETE FROM stored_files WHERE sha256 = :sha "
                "AND NOT EXISTS (SELECT 1 FROM question_files WHERE sha256 = :sha) "
                "AND NOT EXISTS (SELECT 1 FROM practice_tasks WHERE proof_file = :sha) "
                "AND NOT EXISTS (SELECT 1 FROM broadcasts WHERE media_sha256 = :sha)",
                {"sha": sha256},
            )
        except sqlite3.IntegrityError:
            await conn.execute("ROLLBACK TO sweep")
        await conn.execute("RELEASE sweep")

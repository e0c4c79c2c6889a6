"""The outbox: messages the bot promised to send, stored before they are sent."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from storage.database import Database, from_db_time, to_db_time
from storage.models import OutboxMessage


def _message(row: aiosqlite.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        params=json.loads(row["params"]),
        priority=row["priority"],
        due_at=from_db_time(row["due_at"]),
        status=row["status"],
        attempts=row["attempts"],
    )


class OutboxRepository:
    """All SQL about the outbox."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(
        self,
        tx: aiosqlite.Connection,
        user_id: int,
        kind: str,
        params: dict[str, Any],
        due_at: datetime,
        now: datetime,
        priority: int = 5,
        ref: str | None = None,
    ) -> None:
        """Promise a message inside the caller's transaction."""
        await tx.execute(
            "INSERT INTO outbox (user_id, kind, params, priority, due_at, created_at, ref) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                kind,
                json.dumps(params, ensure_ascii=False),
                priority,
                to_db_time(due_at),
                to_db_time(now),
                ref,
            ),
        )

    async def cancel_ref(self, tx: aiosqlite.Connection, ref: str) -> int:
        """Cancel the pending messages about ``ref`` (inside the caller's transaction)."""
        cursor = await tx.execute(
            "UPDATE outbox SET status = 'cancelled' WHERE ref = ? AND status = 'pending'", (ref,)
        )
        return cursor.rowcount

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Mark up to ``limit`` due messages as sending and return them, most urgent first."""
        async with self._db.transaction() as tx:
            async with tx.execute(
                "SELECT * FROM outbox WHERE status = 'pending' AND due_at <= ? "
                "ORDER BY priority, due_at, id LIMIT ?",
                (to_db_time(now), limit),
            ) as cursor:
                rows = list(await cursor.fetchall())
            await tx.executemany(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                [(r["id"],) for r in rows],
            )
        return [_message(r) for r in rows]

    async def finish(
        self,
        message_id: int,
        status: str,
        now: datetime,
        telegram_message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record the outcome of one send."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET status = ?, message_id = ?, last_error = ?, "
                "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                (status, telegram_message_id, error, status, to_db_time(now), message_id),
            )

    async def retry_later(self, message_id: int, due_at: datetime, error: str) -> None:
        """Put a message back in the queue after a temporary failure."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET status = 'pending', due_at = ?, last_error = ? WHERE id = ?",
                (to_db_time(due_at), error, message_id),
            )

    async def requeue_interrupted(self) -> int:
        """After a crash, return messages left 'sending' to the queue (see the sender)."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE outbox SET status = 'pending' WHERE status = 'sending'"
            )
            return cursor.rowcount

    async def pending_for(self, user_id: int) -> list[OutboxMessage]:
        """Messages still queued for one user."""
        rows = await self._db.fetch_all(
            "SELECT * FROM outbox WHERE user_id = ? AND status IN ('pending', 'sending') "
            "ORDER BY due_at, id",
            (user_id,),
        )
        return [_message(r) for r in rows]

    async def all_messages(self) -> list[OutboxMessage]:
        """Every outbox row (tests and reports)."""
        rows = await self._db.fetch_all("SELECT * FROM outbox ORDER BY id")
        return [_message(r) for r in rows]

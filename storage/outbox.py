"""The outbox: messages the bot promised to send, stored before they are sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.models import OutboxMessage, OutboxStatus
from bot.core.notices import Lane
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time


def _message(row: aiosqlite.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        params=json.loads(row["params"]),
        priority=row["priority"],
        due_at=from_db_time(row["due_at"]),
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        interrupted=row["interrupted"],
    )


def _lane_sql(lane: Lane | None) -> tuple[str, tuple[object, ...]]:
    """The condition of a lane: the recipient is on its channel and on none of the earlier
    ones (which would reach them first); no channel: on none of the earlier ones at all."""
    if lane is None:
        return "", ()
    channel, earlier = lane
    known = "SELECT user_id FROM identities WHERE channel = ?"
    parts = [f"user_id NOT IN ({known})" for _ in earlier]
    args: list[object] = [other.value for other in earlier]
    if channel is not None:
        parts.append(f"user_id IN ({known})")
        args.append(channel.value)
    return "".join(f"AND {p} " for p in parts), tuple(args)


class OutboxRepository:
    """All SQL about the outbox."""

    def __init__(self, db: Database, queued: Callable[[datetime], None] | None = None) -> None:
        self._db = db
        self._queued = queued  # told the due time of every message queued

    async def enqueue(
        self,
        tx: Transaction,
        user_id: int,
        kind: str,
        params: dict[str, Any],
        due_at: datetime,
        now: datetime,
        priority: int = 5,
        ref: str | None = None,
    ) -> int:
        """Promise a message inside the caller's transaction; return its id."""
        cursor = await connection(tx).execute(
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
        if self._queued is not None:
            self._queued(due_at)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def cancel_ref(self, tx: Transaction, ref: str) -> int:
        """Cancel the pending messages about ``ref`` (inside the caller's transaction)."""
        cursor = await connection(tx).execute(
            "UPDATE outbox SET status = 'cancelled' WHERE ref = ? AND status = 'pending'", (ref,)
        )
        return cursor.rowcount

    async def recipient_known(self, tx: Transaction, user_id: int) -> bool:
        """Whether the user ever wrote to the bot (else Telegram would refuse the chat)."""
        sql = "SELECT 1 FROM users WHERE id = ? AND not_yet_written = 0"
        async with connection(tx).execute(sql, (user_id,)) as cursor:
            return await cursor.fetchone() is not None

    async def claim_due(
        self,
        now: datetime,
        limit: int,
        exclude_users: Collection[int] = (),
        *,
        lane: Lane | None = None,
    ) -> list[OutboxMessage]:
        """Mark up to ``limit`` due messages as sending and return them, most urgent first;
        with ``lane``, only those of recipients that lane's channel reaches."""
        skip = sorted(exclude_users)
        not_these = f"AND user_id NOT IN ({','.join('?' * len(skip))}) " if skip else ""
        in_lane, lane_args = _lane_sql(lane)
        async with self._db.transaction() as tx:
            async with tx.execute(
                "SELECT * FROM outbox WHERE status = 'pending' AND due_at <= ? "
                f"{not_these}{in_lane}ORDER BY priority, due_at, id LIMIT ?",
                (to_db_time(now), *skip, *lane_args, limit),
            ) as cursor:
                rows = list(await cursor.fetchall())
            await tx.executemany(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                [(r["id"],) for r in rows],
            )
        return [_message(r) for r in rows]

    async def claim(self, message_id: int) -> OutboxMessage | None:
        """Mark one pending message as sending, due or not, and return it as ``claim_due``
        does; None if it is not pending (another sender has it, or it is done)."""
        async with self._db.transaction() as tx:
            async with tx.execute(
                "SELECT * FROM outbox WHERE id = ? AND status = 'pending'", (message_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            await tx.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                (message_id,),
            )
        return _message(row)

    async def finish(
        self,
        message_id: int,
        status: OutboxStatus,
        now: datetime,
        *,
        sent_ref: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record the outcome of one send (``sent_ref``: the message's id on its channel)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET status = ?, message_id = ?, last_error = ?, "
                "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                (status, sent_ref, error, status, to_db_time(now), message_id),
            )

    async def retry_later(
        self, message_id: int, due_at: datetime, error: str, *, uncertain: bool = False
    ) -> None:
        """Put a message back in the queue after a temporary failure (``uncertain``: the
        send may have arrived; counted as ``interrupted``, so reported as uncertain)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET status = 'pending', due_at = ?, last_error = ?, "
                "interrupted = interrupted + ? WHERE id = ?",
                (to_db_time(due_at), error, int(uncertain), message_id),
            )

    async def requeue_interrupted(self) -> int:
        """After a crash, return messages left 'sending' to the queue, counting each."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE outbox SET status = 'pending', interrupted = interrupted + 1, "
                "last_error = 'interrupted by a stop; re-sent' WHERE status = 'sending'"
            )
            return cursor.rowcount

    async def pending_due_times(self) -> list[datetime]:
        """The distinct times at which pending messages fall due, soonest first."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT due_at FROM outbox WHERE status = 'pending' ORDER BY due_at"
        )
        return [from_db_time(r["due_at"]) for r in rows]

    async def summary(self) -> dict[str, dict[str, int]]:
        """Counts by status and kind, plus messages re-sent after a crash."""
        rows = await self._db.fetch_all(
            "SELECT status, kind, COUNT(*) AS n FROM outbox GROUP BY status, kind"
        )
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row["status"], {})[row["kind"]] = row["n"]
        resent = await self._db.fetch_one("SELECT COUNT(*) FROM outbox WHERE interrupted > 0")
        counts["uncertain"] = {"all": int(resent[0]) if resent else 0}
        return counts

    async def failed(self, limit: int = 50) -> list[tuple[OutboxMessage, str]]:
        """The most recent failed messages with their last error."""
        rows = await self._db.fetch_all(
            "SELECT * FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [(_message(r), r["last_error"] or "") for r in rows]

    async def count_pending(self, kind: str, up_to_id: int | None = None) -> int:
        """How many messages of ``kind`` are still queued (with ``up_to_id``: up to that one)."""
        rows = await self._db.fetch_all(
            "SELECT COUNT(*) FROM outbox WHERE kind = ? AND status IN ('pending', 'sending') "
            "AND id <= ?",
            (kind, up_to_id if up_to_id is not None else 2**62),
        )
        return int(rows[0][0])

    async def first_pending(self, kind: str) -> int | None:
        """The id of the oldest message of ``kind`` not yet claimed, if any."""
        rows = await self._db.fetch_all(
            "SELECT id FROM outbox WHERE kind = ? AND status = 'pending' ORDER BY id LIMIT 1",
            (kind,),
        )
        return int(rows[0][0]) if rows else None

    async def queued_of(self, kind: str) -> list[OutboxMessage]:
        """Messages of ``kind`` still queued (pending or being sent), oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM outbox WHERE kind = ? AND status IN ('pending', 'sending') ORDER BY id",
            (kind,),
        )
        return [_message(r) for r in rows]

    async def set_params(self, tx: Transaction, message_id: int, params: dict[str, Any]) -> bool:
        """Replace a still-pending message's parameters (inside the caller's transaction)."""
        cursor = await connection(tx).execute(
            "UPDATE outbox SET params = ? WHERE id = ? AND status = 'pending'",
            (json.dumps(params, ensure_ascii=False), message_id),
        )
        return cursor.rowcount > 0

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

"""Outcome check-ins after a session: what each owner answered, month by month."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from bot.core.outcomes import Checkin
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time

_SELECT = (
    "SELECT c.*, s.title, s.id AS session_id FROM outcome_checkins c "
    "JOIN bookings b ON b.id = c.booking_id JOIN training_sessions s ON s.id = b.session_id "
)


def _checkin(row: aiosqlite.Row) -> Checkin:
    sells = row["sells_online"]
    return Checkin(
        id=row["id"],
        booking_id=row["booking_id"],
        user_id=row["user_id"],
        month=row["month"],
        session_id=row["session_id"],
        session_title=row["title"],
        due_at=from_db_time(row["due_at"]),
        sells_online=None if sells is None else bool(sells),
        marketplaces=tuple(json.loads(row["marketplaces"])),
        orders=row["orders"],
        obstacle=row["obstacle"],
        answered_at=from_db_time(row["answered_at"]) if row["answered_at"] else None,
    )


class OutcomeRepository:
    """All SQL about outcome check-ins."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, tx: Transaction, booking_id: int, user_id: int, month: int, due_at: datetime
    ) -> int | None:
        """Plan one check-in (once per booking and month); None if it is planned already."""
        cursor = await connection(tx).execute(
            "INSERT OR IGNORE INTO outcome_checkins (booking_id, user_id, month, due_at) "
            "VALUES (?, ?, ?, ?)",
            (booking_id, user_id, month, to_db_time(due_at)),
        )
        return cursor.lastrowid if cursor.rowcount else None

    async def get(self, row_id: int) -> Checkin | None:
        """One check-in with its session."""
        row = await self._db.fetch_one(_SELECT + "WHERE c.id = ?", (row_id,))
        return _checkin(row) if row else None

    async def of_user(self, user_id: int) -> list[Checkin]:
        """The person's check-ins, oldest first."""
        rows = await self._db.fetch_all(
            _SELECT + "WHERE c.user_id = ? ORDER BY c.due_at, c.id", (user_id,)
        )
        return [_checkin(r) for r in rows]

    async def save(
        self,
        tx: Transaction,
        row_id: int,
        sells: bool | None,
        markets: tuple[str, ...],
        orders: str | None,
        now: datetime,
    ) -> None:
        """Store the answers given so far."""
        await connection(tx).execute(
            "UPDATE outcome_checkins SET sells_online = ?, marketplaces = ?, orders = ?, "
            "answered_at = ? WHERE id = ?",
            (
                None if sells is None else int(sells),
                json.dumps(list(markets)),
                orders,
                to_db_time(now),
                row_id,
            ),
        )

    async def save_obstacle(self, tx: Transaction, row_id: int, text: str) -> None:
        """Store what stops the owner, in their words."""
        await connection(tx).execute(
            "UPDATE outcome_checkins SET obstacle = ? WHERE id = ?", (text, row_id)
        )

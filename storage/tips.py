"""Tips sent, feedback, daily subscriptions and the per-day chain of daily tips."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.models import Subscription as Subscription
from bot.core.models import TipCount as TipCount
from bot.core.models import TipDay
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time


class TipsRepository:
    """All SQL about tips."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def last_sent(self, user_id: int) -> dict[str, datetime]:
        """When each tip was last sent to this user."""
        rows = await self._db.fetch_all(
            "SELECT tip_id, MAX(sent_at) AS at FROM tips_sent WHERE user_id = ? GROUP BY tip_id",
            (user_id,),
        )
        return {r["tip_id"]: from_db_time(r["at"]) for r in rows}

    async def record_sent(
        self,
        tx: Transaction,
        user_id: int,
        tip_id: str,
        topic: str,
        via: str,
        now: datetime,
    ) -> None:
        """Note that a tip went to a user (inside the caller's transaction)."""
        await connection(tx).execute(
            "INSERT INTO tips_sent (user_id, tip_id, topic, via, sent_at) VALUES (?, ?, ?, ?, ?)",
            (user_id, tip_id, topic, via, to_db_time(now)),
        )

    async def send_now(
        self, user_id: int, tip_id: str, topic: str, via: str, now: datetime
    ) -> None:
        """Note a tip sent in reply to the user."""
        async with self._db.transaction() as tx:
            await self.record_sent(tx, user_id, tip_id, topic, via, now)

    async def was_sent(self, user_id: int, tip_id: str) -> bool:
        """Whether this tip was ever sent to this user."""
        row = await self._db.fetch_one(
            "SELECT 1 FROM tips_sent WHERE user_id = ? AND tip_id = ? LIMIT 1", (user_id, tip_id)
        )
        return row is not None

    async def give_feedback(
        self, user_id: int, tip_id: str, topic: str, helpful: bool, now: datetime
    ) -> None:
        """Store (or change) the user's opinion of a tip."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO tips_feedback (user_id, tip_id, topic, helpful, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, tip_id) "
                "DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
                (user_id, tip_id, topic, int(helpful), to_db_time(now)),
            )

    async def subscription(self, user_id: int) -> Subscription | None:
        """The user's daily tip subscription, if they ever made one."""
        row = await self._db.fetch_one(
            "SELECT * FROM tips_subscriptions WHERE user_id = ?", (user_id,)
        )
        return Subscription(row["user_id"], row["slot"], bool(row["active"])) if row else None

    async def save_subscription(
        self, tx: Transaction, user_id: int, slot: str, active: bool, now: datetime
    ) -> None:
        """Create or change a subscription and drop the days queued but not yet taken."""
        await connection(tx).execute(
            "INSERT INTO tips_subscriptions (user_id, slot, active, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET slot = excluded.slot, "
            "active = excluded.active, updated_at = excluded.updated_at",
            (user_id, slot, int(active), to_db_time(now)),
        )
        await connection(tx).execute(
            "DELETE FROM tips_daily WHERE user_id = ? AND status = 'queued'", (user_id,)
        )

    async def queue_day(self, tx: Transaction, user_id: int, day: date) -> bool:
        """Claim a day for a daily tip; False if that day already has one."""
        cursor = await connection(tx).execute(
            "INSERT OR IGNORE INTO tips_daily (user_id, day) VALUES (?, ?)",
            (user_id, day.isoformat()),
        )
        return cursor.rowcount == 1

    async def day(self, tx: Transaction, user_id: int, day: date) -> tuple[TipDay, str]:
        """The status and tip of a queued day (``TipDay.MISSING`` if there is none)."""
        async with connection(tx).execute(
            "SELECT status, tip_id FROM tips_daily WHERE user_id = ? AND day = ?",
            (user_id, day.isoformat()),
        ) as cursor:
            row = await cursor.fetchone()
        return (TipDay(row["status"]), row["tip_id"] or "") if row else (TipDay.MISSING, "")

    async def close_day(
        self, tx: Transaction, user_id: int, day: date, status: TipDay, tip_id: str | None
    ) -> None:
        """Mark a queued day as ``taken`` (with its tip) or ``skipped``."""
        await connection(tx).execute(
            "UPDATE tips_daily SET status = ?, tip_id = ? WHERE user_id = ? AND day = ?",
            (status, tip_id, user_id, day.isoformat()),
        )

    async def has_queued_day(self, user_id: int) -> bool:
        """Whether a daily tip is queued for this user."""
        row = await self._db.fetch_one(
            "SELECT 1 FROM tips_daily WHERE user_id = ? AND status = 'queued'", (user_id,)
        )
        return row is not None

    async def counts(self, by: str) -> list[TipCount]:
        """Sent, helpful and not helpful per ``tip`` or per ``topic``, most sent first."""
        column = {"tip": "tip_id", "topic": "topic"}[by]
        rows = await self._db.fetch_all(
            f"SELECT {column} AS key, MIN(topic) AS topic, SUM(sent) AS sent, "
            "SUM(helpful) AS helpful, SUM(not_helpful) AS not_helpful FROM ("
            "SELECT tip_id, topic, 1 AS sent, 0 AS helpful, 0 AS not_helpful FROM tips_sent "
            "UNION ALL SELECT tip_id, topic, 0, helpful, 1 - helpful FROM tips_feedback) "
            f"GROUP BY {column} ORDER BY sent DESC, key"
        )
        return [
            TipCount(r["key"], r["topic"], r["sent"], r["helpful"], r["not_helpful"]) for r in rows
        ]

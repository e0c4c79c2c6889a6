"""What channels report about messages they accepted (the ``delivery_statuses`` table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.notices import ChannelName, DeliveryState
from storage.database import Database, from_db_time, to_db_time

_STATES = frozenset(state.value for state in DeliveryState)


@dataclass(frozen=True)
class DeliveryStatus:
    """The furthest status a channel reported for one message."""

    status: str
    error_code: int | None
    error: str | None
    updated_at: datetime


class DeliveryStatusRepository:
    """All SQL about delivery statuses."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        channel: ChannelName,
        message_id: str,
        status: str,
        now: datetime,
        *,
        error_code: int | None = None,
        error: str | None = None,
    ) -> bool:
        """Keep ``status`` unless a further one is known; return whether it was kept.

        Only statuses of outbox rows are kept: a message nobody's outbox row names (a
        reply, or a message to someone erased since) is not recorded at all.
        """
        if status not in _STATES:
            return False  # "played" and whatever Meta adds: not a delivery step
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO delivery_statuses "
                "(channel, message_id, status, error_code, error, updated_at) "
                "SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS "
                "(SELECT 1 FROM outbox WHERE message_id = ?2) "
                "ON CONFLICT (channel, message_id) DO UPDATE SET status = excluded.status, "
                "error_code = excluded.error_code, error = excluded.error, "
                "updated_at = excluded.updated_at "
                f"WHERE {_rank_sql('delivery_statuses.status')} < {_rank_sql('excluded.status')}",
                (channel.value, message_id, status, error_code, error, to_db_time(now)),
            )
            return cursor.rowcount > 0

    async def get(self, channel: ChannelName, message_id: str) -> DeliveryStatus | None:
        """The furthest status known for one message."""
        row = await self._db.fetch_one(
            "SELECT status, error_code, error, updated_at FROM delivery_statuses "
            "WHERE channel = ? AND message_id = ?",
            (channel.value, message_id),
        )
        if row is None:
            return None
        return DeliveryStatus(
            row["status"], row["error_code"], row["error"], from_db_time(row["updated_at"])
        )

    async def counts(self, channel: ChannelName) -> dict[str, int]:
        """How many messages are at each status (for the delivery report)."""
        rows = await self._db.fetch_all(
            "SELECT status, COUNT(*) AS n FROM delivery_statuses WHERE channel = ? "
            "GROUP BY status",
            (channel.value,),
        )
        return {r["status"]: int(r["n"]) for r in rows}


def _rank_sql(column: str) -> str:
    """SQL for a status's rank (how far along a message is; a later report never moves it
    back), 0 for a status that is no delivery step."""
    cases = " ".join(f"WHEN '{state.value}' THEN {state.rank}" for state in DeliveryState)
    return f"(CASE {column} {cases} ELSE 0 END)"

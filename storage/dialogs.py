"""Conversation state that must survive a restart."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.core.models import Dialog
from storage.database import Database, to_db_time


class DialogRepository:
    """All SQL about in-progress conversations."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> Dialog | None:
        """Return the user's open conversation, if any."""
        row = await self._db.fetch_one("SELECT * FROM dialogs WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Dialog(row["user_id"], row["flow"], row["step"], json.loads(row["data"]))

    async def save(
        self, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
    ) -> Dialog:
        """Store the user's conversation at ``step`` with ``data``, replacing any previous one."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO dialogs (user_id, flow, step, data, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                "flow = excluded.flow, step = excluded.step, data = excluded.data, "
                "updated_at = excluded.updated_at",
                (user_id, flow, step, json.dumps(data, ensure_ascii=False), to_db_time(now)),
            )
        return Dialog(user_id, flow, step, data)

    async def clear(self, user_id: int) -> bool:
        """End the user's conversation; return whether there was one."""
        async with self._db.transaction() as conn:
            cur = await conn.execute("DELETE FROM dialogs WHERE user_id = ?", (user_id,))
            return cur.rowcount > 0

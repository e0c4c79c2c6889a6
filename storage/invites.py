"""Trainer invites and the trainer role they grant (``user_roles`` rows, source 'invite')."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.models import Invite as Invite
from bot.core.models import Trainer as Trainer
from storage.database import Database, from_db_time, to_db_time


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(
        token=row["token"],
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
        expires_at=from_db_time(row["expires_at"]),
        used_by=row["used_by"],
        used_at=from_db_time(row["used_at"]) if row["used_at"] else None,
    )


class InviteRepository:
    """All SQL about trainer invites and the trainer role they grant."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, token: str, created_by: int, now: datetime, expires: datetime) -> None:
        """Store a new unused invite."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO trainer_invites (token, created_by, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (token, created_by, to_db_time(now), to_db_time(expires)),
            )

    async def get(self, token: str) -> Invite | None:
        """Return one invite."""
        row = await self._db.fetch_one("SELECT * FROM trainer_invites WHERE token = ?", (token,))
        return _invite(row) if row else None

    async def redeem(
        self, token: str, user_id: int, now: datetime, display_name: str | None = None
    ) -> Invite | None:
        """Use an unused, unexpired invite and grant the trainer role, atomically.

        Returns the invite as it was before this call, or None if it does not exist; the
        role is granted only if it was still unused and unexpired.
        """
        async with self._db.transaction() as tx:
            async with tx.execute(
                "SELECT * FROM trainer_invites WHERE token = ?", (token,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            invite = _invite(row)
            if invite.used_by is None and invite.expires_at > now:
                await tx.execute(
                    "UPDATE trainer_invites SET used_by = ?, used_at = ? WHERE token = ?",
                    (user_id, to_db_time(now), token),
                )
                await tx.execute(
                    "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
                    "VALUES (?, 'trainer', 'invite', ?, ?) ON CONFLICT DO NOTHING",
                    (user_id, to_db_time(now), display_name),
                )
        return invite

    async def trainers(self) -> list[Trainer]:
        """Everyone holding the trainer role, with their profile name if they have one."""
        rows = await self._db.fetch_all(
            "SELECT r.user_id, COALESCE(r.display_name, p.full_name) AS name FROM user_roles r "
            "LEFT JOIN owner_profiles p ON p.user_id = r.user_id "
            "WHERE r.role = 'trainer' ORDER BY name IS NULL, name, r.user_id"
        )
        return [Trainer(user_id=r["user_id"], name=r["name"]) for r in rows]

"""Users and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.core.models import Role, User
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time


def _user(row: aiosqlite.Row) -> User:
    return User(
        id=row["id"],
        language=row["language"],
        created_at=from_db_time(row["created_at"]),
        last_seen_at=from_db_time(row["last_seen_at"]),
    )


class UserRepository:
    """All SQL about users and roles."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> User | None:
        """Return the user, or None if they never wrote to the bot."""
        row = await self._db.fetch_one(
            "SELECT * FROM users WHERE id = ? AND not_yet_written = 0", (user_id,)
        )
        return _user(row) if row else None

    async def touch(
        self, user_id: int, default_language: str, now: datetime, display_name: str | None = None
    ) -> User:
        """Create the user on first contact, else record that they were seen; return the row.

        ``display_name`` is kept only if the user holds a staff or trainer role.
        """
        async with self._db.transaction() as conn:
            if display_name:
                await conn.execute(
                    "UPDATE user_roles SET display_name = ? WHERE user_id = ?",
                    (display_name, user_id),
                )
            await conn.execute(  # someone known before they wrote gets their client's language
                "INSERT INTO users (id, language, created_at, last_seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at, "
                "unreachable_at = NULL, not_yet_written = 0, language = CASE "
                "WHEN users.not_yet_written THEN excluded.language ELSE users.language END",
                (user_id, default_language, to_db_time(now), to_db_time(now)),
            )
            async with conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)) as cur:
                row = await cur.fetchone()
        assert row is not None
        return _user(row)

    async def set_language(self, user_id: int, language: str) -> None:
        """Store the user's chosen language."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def roles(self, user_id: int) -> frozenset[Role]:
        """Return the user's roles; everyone is an owner."""
        rows = await self._db.fetch_all(
            "SELECT role FROM user_roles WHERE user_id = ?", (user_id,)
        )
        return frozenset({Role.OWNER, *(Role(r["role"]) for r in rows)})

    async def holders(self, role: Role) -> list[int]:
        """Return the ids holding ``role``."""
        rows = await self._db.fetch_all(
            "SELECT user_id FROM user_roles WHERE role = ? ORDER BY user_id", (role.value,)
        )
        return [r["user_id"] for r in rows]

    async def sync_config_staff(self, staff_ids: Iterable[int], now: datetime) -> list[int]:
        """Make the config-granted staff exactly ``staff_ids``; invite-granted roles stay.

        Returns the ids that lost their config-granted staff role.
        """
        ids = sorted(set(staff_ids))
        async with self._db.transaction() as conn:
            placeholders = ",".join("?" * len(ids))
            async with conn.execute(
                "DELETE FROM user_roles WHERE role = 'staff' AND source = 'config'"
                + (f" AND user_id NOT IN ({placeholders})" if ids else "")
                + " RETURNING user_id",
                ids,
            ) as cursor:
                removed = sorted(row[0] for row in await cursor.fetchall())
            await conn.executemany(
                "INSERT INTO user_roles (user_id, role, source, granted_at) "
                "VALUES (?, 'staff', 'config', ?) ON CONFLICT DO NOTHING",
                [(i, to_db_time(now)) for i in ids],
            )
        return removed

    async def revoke_role(self, tx: Transaction, user_id: int, role: Role) -> bool:
        """Take ``role`` away inside the caller's transaction; return whether it was held."""
        cursor = await connection(tx).execute(
            "DELETE FROM user_roles WHERE user_id = ? AND role = ?", (user_id, role.value)
        )
        return cursor.rowcount > 0

    async def display_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """Return the Telegram names of role holders among ``user_ids``."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = await self._db.fetch_all(
            "SELECT user_id, MAX(display_name) AS name FROM user_roles "
            f"WHERE user_id IN ({','.join('?' * len(ids))}) GROUP BY user_id",
            ids,
        )
        return {r["user_id"]: r["name"] for r in rows if r["name"]}

    async def mark_unreachable(self, user_id: int, now: datetime) -> None:
        """Remember that the user blocked the bot (until they write again)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
                (to_db_time(now), user_id),
            )

    async def is_unreachable(self, user_id: int) -> bool:
        """Whether the user has blocked the bot since they last wrote."""
        row = await self._db.fetch_one("SELECT unreachable_at FROM users WHERE id = ?", (user_id,))
        return bool(row and row["unreachable_at"])

    async def unreachable(self) -> list[int]:
        """Everyone who blocked the bot and has not written since."""
        rows = await self._db.fetch_all(
            "SELECT id FROM users WHERE unreachable_at IS NOT NULL ORDER BY id"
        )
        return [r["id"] for r in rows]

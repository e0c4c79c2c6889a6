"""Which channel ids belong to which internal user (the ``identities`` table).

Every person gets an internal id from the allocator on first contact, whatever the channel:
no internal id is a channel's id (people known before migration 0026 keep the numbers they
had, which nothing reads as a Telegram id any more).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.notices import ChannelName
from storage.database import Database, to_db_time


class IdentityRepository:
    """All SQL about identities."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def external_id(self, user_id: int, channel: ChannelName) -> str | None:
        """The user's id on ``channel``, if they use it."""
        row = await self._db.fetch_one(
            "SELECT external_id FROM identities WHERE user_id = ? AND channel = ?",
            (user_id, channel.value),
        )
        return str(row["external_id"]) if row else None

    async def channels(self, user_id: int) -> dict[ChannelName, str]:
        """Every channel the user is known on, with their id there."""
        rows = await self._db.fetch_all(
            "SELECT channel, external_id FROM identities WHERE user_id = ?", (user_id,)
        )
        return {ChannelName(r["channel"]): str(r["external_id"]) for r in rows}

    async def on_channel(
        self, channel: ChannelName, user_ids: Sequence[int]
    ) -> dict[int, dict[ChannelName, str]]:
        """Every channel of each user who has an identity on ``channel``."""
        found: dict[int, dict[ChannelName, str]] = {}
        for start in range(0, len(user_ids), 500):
            chunk = list(user_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetch_all(
                f"SELECT user_id, channel, external_id FROM identities WHERE user_id IN "
                f"(SELECT user_id FROM identities WHERE channel = ? AND user_id IN ({marks}))",
                (channel.value, *chunk),
            )
            for row in rows:
                found.setdefault(int(row["user_id"]), {})[ChannelName(row["channel"])] = str(
                    row["external_id"]
                )
        return found

    async def user_for(self, channel: ChannelName, external_id: str) -> int | None:
        """The internal user with this id on ``channel``, if any."""
        row = await self._db.fetch_one(
            "SELECT user_id FROM identities WHERE channel = ? AND external_id = ?",
            (channel.value, external_id),
        )
        return int(row["user_id"]) if row else None

    async def register(
        self,
        channel: ChannelName,
        external_id: str,
        language: str,
        now: datetime,
        *,
        wrote: bool = True,
    ) -> int:
        """The internal id for this channel id, creating the user on first contact.

        ``wrote=False`` makes someone known before they ever wrote (the staff named in the
        settings): they are not yet a user the bot has a chat with, until their first
        message (:meth:`storage.users.UserRepository.touch`).
        """
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT user_id FROM identities WHERE channel = ? AND external_id = ?",
                (channel.value, external_id),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                return int(row["user_id"])
            async with conn.execute(
                "UPDATE id_allocator SET next_id = next_id + 1 WHERE name = 'users' "
                "RETURNING next_id - 1"
            ) as cursor:
                allocated = await cursor.fetchone()
            assert allocated is not None, "migration 0015 creates the allocator row"
            user_id = int(allocated[0])
            stamp = to_db_time(now)
            await conn.execute(
                "INSERT INTO users (id, language, created_at, last_seen_at, not_yet_written) "
                "VALUES (?, ?, ?, ?, ?)",
                (user_id, language, stamp, stamp, int(not wrote)),
            )
            await conn.execute(
                "INSERT INTO identities (user_id, channel, external_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (user_id, channel.value, external_id, stamp),
            )
        return user_id

"""Whole-table reads for staff reports and exports (owner profiles, channels, trainer names);
no writes here."""

from __future__ import annotations

from bot.core.models import OwnerProfile
from storage.database import Database
from storage.owners import profile_from_row


class ReportRepository:
    """Read-only SQL that spans every owner, for exports and statistics."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def owner_profiles(self) -> list[OwnerProfile]:
        """Return every owner profile, earliest sign-up first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM owner_profiles ORDER BY registered_at, user_id"
        )
        return [profile_from_row(r) for r in rows]

    async def owner_channels(self) -> dict[int, tuple[str, ...]]:
        """The channels each owner can be reached on (``telegram``, ``whatsapp``), sorted."""
        rows = await self._db.fetch_all(
            "SELECT i.user_id, i.channel FROM identities i "
            "JOIN owner_profiles o ON o.user_id = i.user_id ORDER BY i.user_id, i.channel"
        )
        found: dict[int, tuple[str, ...]] = {}
        for row in rows:
            found[row["user_id"]] = (*found.get(row["user_id"], ()), row["channel"])
        return found

    async def trainer_names(self) -> dict[int, str]:
        """The names of everyone named as a session's trainer, by user id."""
        rows = await self._db.fetch_all(
            "SELECT r.user_id, MAX(r.display_name) AS name FROM user_roles r "
            "WHERE r.user_id IN (SELECT trainer_id FROM training_sessions) GROUP BY r.user_id"
        )
        return {r["user_id"]: r["name"] for r in rows if r["name"]}

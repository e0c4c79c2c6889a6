"""Whole-table reads for staff reports and exports (owner profiles); no writes here."""

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

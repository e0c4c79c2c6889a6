"""Certificates of completion (issued, looked up by code, revoked)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from bot.core.certificates import Certificate
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time


def _certificate(row: aiosqlite.Row) -> Certificate:
    return Certificate(
        code=row["code"],
        booking_id=row["booking_id"],
        user_id=row["user_id"],
        session_id=row["session_id"],
        owner_name=row["owner_name"],
        business_name=row["business_name"],
        session_title=row["session_title"],
        session_date=from_db_time(row["session_date"]),
        trainer_name=row["trainer_name"],
        issued_at=from_db_time(row["issued_at"]),
        revoked_at=from_db_time(row["revoked_at"]) if row["revoked_at"] else None,
        revoked_reason=row["revoked_reason"],
    )


class CertificateRepository:
    """All SQL about certificates."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def issue(self, tx: Transaction, cert: Certificate) -> bool:
        """Store a new certificate; False if the booking has a live one already."""
        try:
            await connection(tx).execute(
                "INSERT INTO certificates (code, booking_id, user_id, session_id, owner_name, "
                "business_name, session_title, session_date, trainer_name, issued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    cert.code,
                    cert.booking_id,
                    cert.user_id,
                    cert.session_id,
                    cert.owner_name,
                    cert.business_name,
                    cert.session_title,
                    to_db_time(cert.session_date),
                    cert.trainer_name,
                    to_db_time(cert.issued_at),
                ),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    async def get(self, code: str) -> Certificate | None:
        """A certificate by its code (as printed, upper case)."""
        row = await self._db.fetch_one("SELECT * FROM certificates WHERE code = ?", (code,))
        return _certificate(row) if row else None

    async def live_for(self, booking_id: int) -> Certificate | None:
        """The booking's certificate that still stands."""
        row = await self._db.fetch_one(
            "SELECT * FROM certificates WHERE booking_id = ? AND revoked_at IS NULL",
            (booking_id,),
        )
        return _certificate(row) if row else None

    async def of_user(self, user_id: int) -> list[Certificate]:
        """The person's certificates, newest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM certificates WHERE user_id = ? ORDER BY issued_at DESC", (user_id,)
        )
        return [_certificate(r) for r in rows]

    async def recent(self, limit: int) -> list[Certificate]:
        """The newest certificates."""
        rows = await self._db.fetch_all(
            "SELECT * FROM certificates ORDER BY issued_at DESC, code LIMIT ?", (limit,)
        )
        return [_certificate(r) for r in rows]

    async def revoke(self, tx: Transaction, code: str, reason: str, now: datetime) -> bool:
        """Revoke a standing certificate; False if it was not standing."""
        cursor = await connection(tx).execute(
            "UPDATE certificates SET revoked_at = ?, revoked_reason = ? "
            "WHERE code = ? AND revoked_at IS NULL",
            (to_db_time(now), reason, code),
        )
        return cursor.rowcount == 1

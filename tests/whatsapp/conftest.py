"""A real temporary database holding the WhatsApp inbox table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from storage.database import Database
from storage.whatsapp_inbox import WhatsAppInboxRepository

T0 = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # Friday 09.00 WIB
INBOX_MIGRATION = Path(storage.__file__).parent / "migrations" / "0012_whatsapp_inbox.sql"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The inbox's migration applied on its own: the table has no references to others."""
    database = await Database.open(tmp_path / "dodolan.sqlite3")
    async with database.raw_writer() as conn:
        await conn.executescript(INBOX_MIGRATION.read_text(encoding="utf-8"))
    yield database
    await database.close()


@pytest.fixture
def inbox(db: Database) -> WhatsAppInboxRepository:
    return WhatsAppInboxRepository(db)


class Clock:
    """A clock that only moves when a test moves it."""

    def __init__(self, moment: datetime = T0) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward (``advance(minutes=1)``)."""
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()

"""Storage tests run on a real temporary SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import migrate

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "dodolan.sqlite3")
    await migrate(database, T0)
    yield database
    await database.close()

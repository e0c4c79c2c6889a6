"""Migrations: ordered, recorded, idempotent, and upgrading an older database in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import available_migrations, current_version, migrate
from tests.storage.conftest import T0


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "new.sqlite3")
    try:
        applied = await migrate(db, T0)
        assert [m.version for m in applied] == [m.version for m in available_migrations()]
        assert await current_version(db) == len(available_migrations())
        rows = await db.fetch_all("SELECT version, name FROM schema_version ORDER BY version")
        assert [(r["version"], r["name"]) for r in rows][:2] == [
            (1, "users_and_roles"),
            (2, "dialogs"),
        ]
    finally:
        await db.close()


async def test_second_run_changes_nothing(db: Database) -> None:
    before = await db.fetch_all("SELECT * FROM schema_version")
    schema_before = await db.fetch_all("SELECT sql FROM sqlite_master ORDER BY name")
    assert await migrate(db, T0) == []
    assert [tuple(r) for r in await db.fetch_all("SELECT * FROM schema_version")] == [
        tuple(r) for r in before
    ]
    schema_after = await db.fetch_all("SELECT sql FROM sqlite_master ORDER BY name")
    assert [tuple(r) for r in schema_after] == [tuple(r) for r in schema_before]


async def test_database_at_an_earlier_migration_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = await Database.open(path)
    await migrate(db, T0, target=1)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, language, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
            (42, "en", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"),
        )
    assert await current_version(db) == 1
    await db.close()

    db = await Database.open(path)
    try:
        applied = await migrate(db, T0)
        assert [m.version for m in applied] == list(range(2, len(available_migrations()) + 1))
        user = await db.fetch_one("SELECT language FROM users WHERE id = 42")
        assert user is not None and user["language"] == "en"
        assert await db.fetch_one("SELECT name FROM sqlite_master WHERE name = 'dialogs'")
    finally:
        await db.close()


async def test_failed_migration_leaves_nothing_half_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import migrate as migrate_module

    broken = [
        *available_migrations()[:1],
        migrate_module.Migration(
            2, "broken", "CREATE TABLE half (x INTEGER); SELECT * FROM nope;"
        ),
    ]
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: broken)
    db = await Database.open(tmp_path / "b.sqlite3")
    try:
        with pytest.raises(Exception, match="nope"):
            await migrate(db, T0)
        assert await current_version(db) == 1
        assert await db.fetch_one("SELECT name FROM sqlite_master WHERE name = 'half'") is None
    finally:
        await db.close()

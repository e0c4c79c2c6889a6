"""Apply the numbered ``migrations/NNNN_name.sql`` files in order, once each."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from storage.database import Database, to_db_time

logger = logging.getLogger(__name__)

_NAME_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """List the shipped migrations, ordered by version; fail on gaps or stray names."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _NAME_RE.match(entry.name)
        if match is None:
            raise RuntimeError(f"migration file name {entry.name!r} is not NNNN_name.sql")
        found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {expected:04d} is missing")
    return found


async def current_version(db: Database) -> int:
    """Return the highest applied migration version (0 for a new database)."""
    async with db.raw_writer() as conn:
        await conn.execute(_VERSION_TABLE)
        async with conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cur:
            row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: Database, now: datetime, *, target: int | None = None) -> list[Migration]:
    """Apply every pending migration up to ``target`` (default: all); return those applied."""
    applied: list[Migration] = []
    done = await current_version(db)
    for migration in available_migrations():
        if migration.version <= done or (target is not None and migration.version > target):
            continue
        await _apply(db, migration, now)
        logger.info("applied migration %04d_%s", migration.version, migration.name)
        applied.append(migration)
    return applied


async def _apply(db: Database, migration: Migration, now: datetime) -> None:
    record = (
        "INSERT INTO schema_version (version, name, applied_at) "
        f"VALUES ({migration.version}, '{migration.name}', '{to_db_time(now)}');"
    )
    script = f"BEGIN IMMEDIATE;\n{migration.sql}\n;{record}\nCOMMIT;"
    async with db.raw_writer() as conn:
        try:
            await conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise

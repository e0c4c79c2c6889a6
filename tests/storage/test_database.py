"""The database handle: pragmas, transactions, rollback, serialised writers."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage.database import Database, from_db_time, to_db_time


async def test_open_sets_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        for conn in (db._writer, db._reader):
            assert (await (await conn.execute("PRAGMA foreign_keys")).fetchone())[0] == 1
            assert (await (await conn.execute("PRAGMA busy_timeout")).fetchone())[0] == 5000
        row = await db.fetch_one("PRAGMA journal_mode")
        assert row is not None and row[0] == "wal"
    finally:
        await db.close()


async def test_transaction_commits_and_reader_sees_it(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")
        await conn.execute("INSERT INTO t VALUES (1)")
    row = await db.fetch_one("SELECT COUNT(*) FROM t")
    assert row is not None and row[0] == 1


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
    row = await db.fetch_one("SELECT COUNT(*) FROM t")
    assert row is not None and row[0] == 0
    # the writer is usable again afterwards
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t VALUES (2)")


async def test_concurrent_read_modify_write_transactions_do_not_lose_updates(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE counter (n INTEGER)")
        await conn.execute("INSERT INTO counter VALUES (0)")

    async def increment() -> None:
        async with db.transaction() as conn:
            row = await (await conn.execute("SELECT n FROM counter")).fetchone()
            await asyncio.sleep(0)  # let the others try to interleave
            await conn.execute("UPDATE counter SET n = ?", (row[0] + 1,))

    await asyncio.gather(*(increment() for _ in range(50)))
    row = await db.fetch_one("SELECT n FROM counter")
    assert row is not None and row[0] == 50


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO dialogs (user_id, flow, step, data, updated_at) "
                "VALUES (999, 'x', 'y', '{}', '2026-01-01T00:00:00+00:00')"
            )


def test_times_round_trip_as_utc() -> None:
    wib = timezone(timedelta(hours=7))
    moment = datetime(2026, 12, 12, 9, 0, tzinfo=wib)
    stored = to_db_time(moment)
    assert stored == "2026-12-12T02:00:00+00:00"
    assert from_db_time(stored) == moment


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db_time(datetime(2026, 1, 1))  # noqa: DTZ001


async def test_a_task_reads_back_what_it_just_committed_while_others_read(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE steps (user_id INTEGER PRIMARY KEY, step INTEGER)")
        await conn.execute("CREATE TABLE filler (x INTEGER)")
        await conn.executemany("INSERT INTO filler VALUES (?)", [(i,) for i in range(2000)])
    stop = asyncio.Event()

    async def someone_else_reading() -> None:  # like the outbox sender polling its queue
        while not stop.is_set():
            await db.fetch_all("SELECT x FROM filler")

    readers = [asyncio.create_task(someone_else_reading()) for _ in range(3)]
    stale = 0
    try:
        for step in range(150):
            async with db.transaction() as conn:
                await conn.execute("INSERT OR REPLACE INTO steps VALUES (1, ?)", (step,))
            row = await db.fetch_one("SELECT step FROM steps WHERE user_id = 1")
            stale += row is None or row[0] != step
    finally:
        stop.set()
        await asyncio.gather(*readers)
    assert stale == 0

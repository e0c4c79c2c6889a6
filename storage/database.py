"""The database handle: a writer connection for transactions and a reader for plain queries.

:class:`Database` is the :class:`~bot.core.ports.UnitOfWork` of the services; the
transaction it yields is the port's opaque ``Transaction``, which repositories turn back
into the writer connection with :func:`connection`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.errors import DatabaseUnavailable as DatabaseUnavailable
from bot.core.ports import Transaction

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# SQLite's primary result codes that mean the file cannot be written now, whatever the SQL.
_UNWRITABLE = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}
)
Params = Iterable[Any] | Mapping[str, Any]


def _bind(params: Params) -> tuple[Any, ...] | Mapping[str, Any]:
    """Positional parameters as a tuple; named ones (``:name``) as the mapping itself."""
    return params if isinstance(params, Mapping) else tuple(params)


def to_db_time(moment: datetime) -> str:
    """Store an aware datetime as a sortable UTC ISO string."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db_time(value: str) -> datetime:
    """Read a UTC ISO string written by :func:`to_db_time`."""
    return datetime.fromisoformat(value).astimezone(UTC)


def connection(tx: Transaction) -> aiosqlite.Connection:
    """The writer connection behind a transaction from :meth:`Database.transaction`."""
    if not isinstance(tx, aiosqlite.Connection):
        raise TypeError(f"expected a transaction from Database.transaction(), got {tx!r}")
    return tx


def _try_open(path: Path) -> None:
    """Open and close the file once, raising what sqlite3 raises if it cannot be opened."""
    sqlite3.connect(path).close()


async def _check_writable(conn: aiosqlite.Connection) -> None:
    """Write the header's user_version back unchanged: a read-only file fails here, at once."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    await conn.execute(f"PRAGMA user_version = {int(row[0]) if row else 0}")


async def _connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten with zeros, whatever this SQLite build's default is.
    await conn.execute("PRAGMA secure_delete = ON")
    return conn


class Database:
    """One SQLite file opened twice: a lock-guarded writer and a WAL reader."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        # One read statement at a time on the reader: while a statement is open, SQLite keeps
        # the connection's read snapshot, and a query another task starts meanwhile would
        # share it and miss what that task itself just committed (seen: a sign-up step read
        # back one step behind while the outbox sender was reading).
        self._read_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating if needed) the database at ``path`` in WAL mode."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # aiosqlite leaves its thread behind when the first open fails, so try it here
            await asyncio.to_thread(_try_open, path)
            writer = await _connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnavailable(path, exc) from exc
        try:
            mode = await (await writer.execute("PRAGMA journal_mode = WAL")).fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise RuntimeError(f"could not switch {path} to WAL mode")
            await writer.execute("PRAGMA synchronous = NORMAL")
            await _check_writable(writer)
            reader = await _connect(path)
        except BaseException as exc:
            await writer.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise DatabaseUnavailable(path, exc) from exc
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        """Close both connections; waits for a running transaction to finish."""
        async with self._write_lock:
            await self._reader.close()
            await self._writer.close()
        logger.info("database closed")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a ``BEGIN IMMEDIATE … COMMIT`` write transaction, rolled back on any error."""
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                self._raise_if_unwritable(exc)
                raise
            try:
                yield self._writer
            except BaseException as exc:
                await self._rollback()
                self._raise_if_unwritable(exc)
                raise
            try:
                await self._writer.execute("COMMIT")
            except Exception as exc:  # e.g. the disk filled up: undo, or no BEGIN works again
                await self._rollback()
                self._raise_if_unwritable(exc)
                raise

    async def _rollback(self) -> None:
        if self._writer.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL)
            await self._writer.execute("ROLLBACK")

    def _raise_if_unwritable(self, error: BaseException) -> None:
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(error, sqlite3.OperationalError) and code and code & 0xFF in _UNWRITABLE:
            raise DatabaseUnavailable(self.path, error) from error

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Return the first row of a read-only query, or None."""
        async with self._read_lock, self._reader.execute(sql, _bind(params)) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Return every row of a read-only query."""
        async with self._read_lock, self._reader.execute(sql, _bind(params)) as cursor:
            return list(await cursor.fetchall())

    async def forget_deleted(self) -> None:
        """Copy the write-ahead log into the file and empty it, so that no earlier version
        of a deleted row survives in either file (after an erasure)."""
        async with (
            self._write_lock,
            self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor,
        ):
            row = await cursor.fetchone()
        if row is None or row[0] != 0:
            logger.warning("the write-ahead log could not be emptied; a reader held it too long")

    @asynccontextmanager
    async def raw_writer(self) -> AsyncIterator[aiosqlite.Connection]:
        """Give the migrator exclusive use of the writer connection outside a transaction."""
        async with self._write_lock:
            yield self._writer


def utc_now() -> datetime:
    """The system clock, aware and in UTC."""
    return datetime.now(UTC)

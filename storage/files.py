"""Stored files: the bytes of what the programme sends, kept once per SHA-256."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import StoredFile
from bot.core.notices import ChannelName
from storage.database import Database, connection, to_db_time


class FileRepository:
    """Keep and read stored files (a file already kept is not written again)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(self, file: StoredFile, now: datetime) -> None:
        """Keep ``file`` under its digest; the same bytes kept already are kept once, their
        ``created_at`` moved to ``now`` (sent again, they are in use again)."""
        async with self._db.transaction() as tx:
            await connection(tx).execute(
                "INSERT INTO stored_files (sha256, mime_type, size, content, created_at) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at",
                (file.sha256, file.mime_type, len(file.content), file.content, to_db_time(now)),
            )

    async def prune_unreferenced(self, before: datetime) -> int:
        """Delete the files kept before ``before`` that nothing names: no broadcast, no file
        sent with a question or as a task's proof, no draft in a conversation, no outbox row
        still queued; return how many."""
        async with self._db.transaction() as tx:
            cursor = await connection(tx).execute(
                "DELETE FROM stored_files WHERE created_at < ? "
                "AND sha256 NOT IN "
                "(SELECT media_sha256 FROM broadcasts WHERE media_sha256 IS NOT NULL) "
                "AND sha256 NOT IN (SELECT sha256 FROM question_files) "
                "AND sha256 NOT IN "
                "(SELECT proof_file FROM practice_tasks WHERE proof_file IS NOT NULL) "
                "AND NOT EXISTS "
                "(SELECT 1 FROM dialogs WHERE instr(data, stored_files.sha256) > 0) "
                "AND NOT EXISTS (SELECT 1 FROM outbox WHERE status IN ('pending', 'sending') "
                "AND instr(params, stored_files.sha256) > 0)",
                (to_db_time(before),),
            )
            return cursor.rowcount

    async def get(self, sha256: str) -> StoredFile | None:
        """The file with this digest, if kept."""
        row = await self._db.fetch_one(
            "SELECT sha256, mime_type, content FROM stored_files WHERE sha256 = ?", (sha256,)
        )
        if row is None:
            return None
        return StoredFile(row["sha256"], row["mime_type"], bytes(row["content"]))

    async def channel_ref(self, channel: ChannelName, key: str) -> str | None:
        """The channel's own id of the file kept under ``key``, if it has one."""
        row = await self._db.fetch_one(
            "SELECT ref FROM channel_file_refs WHERE channel = ? AND key = ?", (channel, key)
        )
        return str(row["ref"]) if row else None

    async def remember_ref(self, channel: ChannelName, key: str, ref: str) -> None:
        """Keep the channel's own id of the file kept under ``key``."""
        async with self._db.transaction() as tx:
            await connection(tx).execute(
                "INSERT INTO channel_file_refs (channel, key, ref) VALUES (?, ?, ?) "
                "ON CONFLICT (channel, key) DO UPDATE SET ref = excluded.ref",
                (channel, key, ref),
            )

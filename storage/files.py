"""Stored files: the bytes of what the programme sends, kept once per SHA-256."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import StoredFile
from storage.database import Database, connection, to_db_time


class FileRepository:
    """Keep and read stored files (a file already kept is not written again)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(self, file: StoredFile, now: datetime) -> None:
        """Keep ``file`` under its digest, unless the same bytes are kept already."""
        async with self._db.transaction() as tx:
            await connection(tx).execute(
                "INSERT OR IGNORE INTO stored_files (sha256, mime_type, size, content, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (file.sha256, file.mime_type, len(file.content), file.content, to_db_time(now)),
            )

    async def get(self, sha256: str) -> StoredFile | None:
        """The file with this digest, if kept."""
        row = await self._db.fetch_one(
            "SELECT sha256, mime_type, content FROM stored_files WHERE sha256 = ?", (sha256,)
        )
        if row is None:
            return None
        return StoredFile(row["sha256"], row["mime_type"], bytes(row["content"]))

"""Migration 0025 turns broadcasts of the old, Telegram-shaped rows into neutral ones and
loses none: file ids go to the edges' file cache, button dicts become link rows, status
message ids go to the edge's table."""

from __future__ import annotations

from pathlib import Path

from bot.core.models import BroadcastStatus, LinkButton
from bot.core.notices import ChannelName, SentRef
from storage.broadcasts import BroadcastRepository
from storage.database import Database
from storage.files import FileRepository
from storage.migrate import available_migrations, migrate
from storage.owners import OwnerRepository
from tests.storage.conftest import T0

NEUTRAL = next(m.version for m in available_migrations() if m.name == "broadcasts_neutral")
SHA = "a" * 64
OLD_COLUMNS = (
    "id, kind, created_by, audience, text, media_kind, media_file_id, buttons, status, "
    "send_at, recipients, status_chat_id, status_message_id, created_at, media_sha256, "
    "media_name"
)
OLD_ROWS = [
    # a photo the bot keeps, two link buttons, its status message in the sender's chat
    (1, "announcement", 5001, "{}", "Pasar murah", "photo", "AgAD-photo",
     '[[{"text": "Info", "url": "https://a.id/info"}], [{"text": "Daftar", "url": "https://a.id/d"}]]',
     "sending", "2026-12-01T01:00:00+00:00", 3, 5001, 77, "2026-12-01T01:00:00+00:00", SHA, None),
    # a document from before the bot kept files: only Telegram's file id
    (2, "followup", 7001, '{"base": "attended", "session_id": 4}', "Materi", "document",
     "BQAD-doc", "[]", "scheduled", "2026-12-05T01:00:00+00:00", 2, None, None,
     "2026-12-01T01:00:00+00:00", None, "materi.pdf"),
    # text only, done
    (3, "announcement", 5001, "{}", "Halo", None, None, "[]", "done",
     "2026-11-01T01:00:00+00:00", 9, 5001, 80, "2026-11-01T01:00:00+00:00", None, None),
]  # fmt: skip


async def old_database(path: Path) -> Database:
    db = await Database.open(path)
    await migrate(db, T0, target=NEUTRAL - 1)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO stored_files (sha256, mime_type, size, content, created_at) "
            "VALUES (?, 'image/png', 4, x'89504e47', '2026-12-01T01:00:00+00:00')",
            (SHA,),
        )
        marks = ", ".join("?" * len(OLD_ROWS[0]))
        for row in OLD_ROWS:
            await tx.execute(f"INSERT INTO broadcasts ({OLD_COLUMNS}) VALUES ({marks})", row)
    return db


async def test_old_broadcasts_are_kept_and_made_neutral(tmp_path: Path) -> None:
    db = await old_database(tmp_path / "old.sqlite3")
    try:
        await migrate(db, T0)
        broadcasts, files = BroadcastRepository(db), FileRepository(db)

        photo, doc, text = [await broadcasts.get(i) for i in (1, 2, 3)]
        assert photo is not None and doc is not None and text is not None
        assert [(b.text, b.status) for b in (photo, doc, text)] == [
            ("Pasar murah", BroadcastStatus.SENDING),
            ("Materi", BroadcastStatus.SCHEDULED),
            ("Halo", BroadcastStatus.DONE),
        ]
        assert photo.buttons == (
            (LinkButton("Info", "https://a.id/info"),),
            (LinkButton("Daftar", "https://a.id/d"),),
        )
        assert doc.buttons == () and text.buttons == ()
        assert (photo.media_kind, photo.media_sha256, photo.media_key) == ("photo", SHA, SHA)
        assert (doc.media_kind, doc.media_sha256, doc.media_name) == (
            "document",
            None,
            "materi.pdf",
        )
        assert doc.media_key == "broadcast:2" and text.media_key is None

        telegram = ChannelName.TELEGRAM
        assert await files.channel_ref(telegram, SHA) == "AgAD-photo"
        assert await files.channel_ref(telegram, "broadcast:2") == "BQAD-doc"
        assert await broadcasts.status_message(1) == SentRef(telegram, "5001:77")
        assert await broadcasts.status_message(2) is None
        assert await broadcasts.status_message(3) == SentRef(telegram, "5001:80")

        info = await db.fetch_all("PRAGMA table_info(broadcasts)")
        names = {r["name"] for r in info}
        assert not names & {"media_file_id", "status_chat_id", "status_message_id"}
        assert await db.fetch_all("PRAGMA foreign_key_check") == []
        assert len(await broadcasts.in_status(BroadcastStatus.SENDING)) == 1  # index kept
    finally:
        await db.close()


async def test_erasing_the_sender_forgets_where_their_status_messages_were(
    tmp_path: Path,
) -> None:
    db = await old_database(tmp_path / "old.sqlite3")
    try:
        await migrate(db, T0)
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO users (id, language, created_at, last_seen_at) "
                "VALUES (5001, 'id', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00')"
            )
        await OwnerRepository(db).erase(5001, T0)
        broadcasts = BroadcastRepository(db)
        assert await broadcasts.status_message(1) is None
        photo = await broadcasts.get(1)
        assert photo is not None and photo.created_by == 0
    finally:
        await db.close()

"""The file service over a real temporary database: checked, kept once, read back."""

from __future__ import annotations

import hashlib
import json

import pytest

from bot.core.errors import InvalidInput
from bot.services.files import KEEP_UNREFERENCED, MAX_BYTES, FileService
from storage.database import Database, to_db_time
from storage.files import FileRepository
from storage.outbox import OutboxRepository
from storage.users import UserRepository
from tests.harness import FakeClock

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def files(db: Database, clock: FakeClock) -> FileService:
    return FileService(FileRepository(db), clock)


async def test_a_pdf_is_kept_under_its_digest_and_read_back(files: FileService) -> None:
    kept = await files.keep(PDF, "application/pdf")
    assert kept.sha256 == hashlib.sha256(PDF).hexdigest()
    assert await files.get(kept.sha256) == kept


async def test_the_same_bytes_are_kept_once(files: FileService, db: Database) -> None:
    await files.keep(PDF, "application/pdf")
    await files.keep(PDF, "application/pdf; charset=binary")
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM stored_files")
    assert row is not None and row["n"] == 1


async def test_a_type_off_the_list_is_refused_before_download(files: FileService) -> None:
    with pytest.raises(InvalidInput) as refused:
        files.check("application/x-msdownload", 1000)
    assert refused.value.key == "lesson_files.wrong_type"


async def test_a_file_over_the_cap_is_refused_before_download(files: FileService) -> None:
    with pytest.raises(InvalidInput) as refused:
        files.check("application/pdf", MAX_BYTES + 1)
    assert refused.value.key == "lesson_files.too_big"


async def test_bytes_that_are_not_what_they_claim_are_not_kept(
    files: FileService, db: Database
) -> None:
    with pytest.raises(InvalidInput):
        await files.keep(b"MZ\x90\x00 an executable", "application/pdf")
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM stored_files")
    assert row is not None and row["n"] == 0


async def test_a_photo_is_kept_as_the_image_its_bytes_are(files: FileService) -> None:
    png = b"\x89PNG\r\n\x1a\n rest of the image"
    assert (await files.keep(png, None)).mime_type == "image/png"
    with pytest.raises(InvalidInput):
        await files.keep(b"GIF89a", None)


async def kept_digests(db: Database) -> set[str]:
    return {row["sha256"] for row in await db.fetch_all("SELECT sha256 FROM stored_files")}


async def test_files_nothing_names_are_deleted_after_a_day(
    files: FileService, db: Database, clock: FakeClock
) -> None:
    sent, drafted, queued, dropped, sent_again = [
        (await files.keep(PDF + bytes([n]), "application/pdf")).sha256 for n in range(5)
    ]
    await UserRepository(db).touch(7001, "id", clock())
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO broadcasts (kind, created_by, audience, status, send_at, created_at, "
            "media_kind, media_sha256) VALUES ('announcement', 7001, '{}', 'done', ?, ?, "
            "'document', ?)",
            (to_db_time(clock()), to_db_time(clock()), sent),
        )
        await tx.execute(
            "INSERT INTO dialogs (user_id, flow, step, data, updated_at) VALUES (7001, "
            "'broadcast', 'buttons', ?, ?)",
            (json.dumps({"media_sha256": drafted}), to_db_time(clock())),
        )
        await OutboxRepository(db).enqueue(
            tx, 7001, "lesson_file", {"sha256": queued}, clock(), clock()
        )
    assert await files.prune() == 0  # all new

    clock.advance(seconds=KEEP_UNREFERENCED.total_seconds() - 60)
    await files.keep(PDF + bytes([4]), "application/pdf")  # sent to the bot again: in use
    clock.advance(seconds=120)
    assert await files.prune() == 1
    assert await kept_digests(db) == {sent, drafted, queued, sent_again}
    assert dropped not in await kept_digests(db)

    clock.advance(seconds=KEEP_UNREFERENCED.total_seconds())
    async with db.transaction() as tx:
        await tx.execute("UPDATE outbox SET status = 'sent'")
        await tx.execute("DELETE FROM dialogs")
    assert await files.prune() == 3  # the draft and the queued row are gone; the sent file
    assert await kept_digests(db) == {sent}  # of a broadcast stays

"""The file service over a real temporary database: checked, kept once, read back."""

from __future__ import annotations

import hashlib

import pytest

from bot.core.errors import InvalidInput
from bot.services.files import MAX_BYTES, FileService
from storage.database import Database
from storage.files import FileRepository
from tests.harness import FakeClock

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def files(db: Database) -> FileService:
    return FileService(FileRepository(db), FakeClock())


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

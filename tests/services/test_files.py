"""FileService: the programme's files, kept by content, size-capped and type-checked."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import InvalidInput
from bot.services.files import MAX_BYTES, digest

PDF = b"%PDF-1.4\n% modul foto produk\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def test_a_file_is_kept_once_by_its_content(services: Services) -> None:
    kept = await services.files.keep(PDF, "application/pdf")
    again = await services.files.keep(PDF, "application/pdf")
    assert kept.sha256 == again.sha256 == digest(PDF)
    stored = await services.files.get(kept.sha256)
    assert stored is not None and stored.content == PDF and stored.mime_type == "application/pdf"
    rows = await services.db.fetch_one("SELECT COUNT(*) FROM stored_files")
    assert rows is not None and rows[0] == 1


async def test_a_photo_is_known_by_its_bytes(services: Services) -> None:
    kept = await services.files.keep(PNG, None)
    assert kept.mime_type == "image/png"


@pytest.mark.parametrize(
    ("content", "mime", "key"),
    [
        (b"MZ\x90\x00 not a pdf", "application/pdf", "lesson_files.wrong_type"),
        (PDF, "application/x-msdownload", "lesson_files.wrong_type"),
        (b"GIF89a", None, "lesson_files.wrong_type"),
    ],
)
async def test_a_file_that_is_not_what_it_claims_is_refused(
    services: Services, content: bytes, mime: str | None, key: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await services.files.keep(content, mime)
    assert refused.value.key == key
    rows = await services.db.fetch_one("SELECT COUNT(*) FROM stored_files")
    assert rows is not None and rows[0] == 0


def test_a_file_too_big_is_refused_before_it_is_fetched(services: Services) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.files.check("application/pdf", MAX_BYTES + 1)
    assert refused.value.key == "lesson_files.too_big" and refused.value.params == {"limit": 20}
    assert services.files.check("application/pdf; charset=binary", MAX_BYTES) == "application/pdf"

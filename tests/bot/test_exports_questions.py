"""The export's Tanya Dinas sheet: per question who asked, how, which line answered, and
how fast a person first answered in working hours, in the workbook and in the CSV file."""

from __future__ import annotations

import io

import openpyxl

from bot.app.container import Services
from bot.core.questions import Line
from tests.bot.test_exports import BUDI, SITI, excel_id, services, sign_up, wall
from tests.harness import FakeClock

__all__ = ["services"]  # the fixture shared with the export tests

ANI = 9001  # staff

HEADERS = [
    "Ditanyakan (WIB)",
    "Lewat",
    "Nama",
    "Usaha",
    "No. HP/WA",
    "Pertanyaan",
    "Dijawab oleh",
    "Entri FAQ",
    "👍",
    "Respons pertama (jam kerja)",
    "Janji ditepati",
]


async def make_staff(services: Services, user_id: int) -> None:
    await services.users.seen(user_id, "id")
    async with services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at) "
            "VALUES (?, 'staff', 'invite', '2026-11-01T00:00:00+00:00')",
            (user_id,),
        )


async def test_every_question_is_a_row_with_its_line_response_time_and_promise(
    services: Services, clock: FakeClock
) -> None:
    await sign_up(services, SITI, "Siti Aminah")
    await sign_up(services, BUDI, "Budi", phone="081234567890")
    await make_staff(services, ANI)
    desk = services.questions
    faq = await desk.ask(SITI, "berapa biaya ikut pelatihan?", "telegram", "id")  # 09.00 WIB
    assert faq.line == Line.FAQ and faq.question_id is not None
    await desk.helpful(SITI, faq.question_id)
    kept = await desk.ask(BUDI, "Apakah boleh bawa anak kecil ke kelas?", "whatsapp", "id")
    late = await desk.ask(SITI, "Apakah ada lowongan jadi mentor di dinas?", "telegram", "id")
    assert kept.line == late.line == Line.PERSON
    assert kept.question_id is not None and late.question_id is not None
    clock.advance(hours=2, minutes=30)  # 11.30 WIB: within the 4 working hours promised
    await desk.answer(ANI, kept.question_id, "Boleh, Pak.")
    clock.advance(hours=3)  # 14.30 WIB: past the promise (13.00)
    await desk.answer(ANI, late.question_id, "Belum ada, Bu.")

    export = await services.export_service().build()

    book = openpyxl.load_workbook(io.BytesIO(export.xlsx()))
    assert book.sheetnames[-2:] == ["Tanya Dinas", "Hasil"]
    rows = list(book["Tanya Dinas"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    asked = wall(2026, 12, 1, 9, 0)
    assert [list(r) for r in rows[1:]] == [
        [asked, "Telegram", "Siti Aminah", "Usaha Siti Aminah", "+6281234567890",
         "berapa biaya ikut pelatihan?", "FAQ", "Biaya pelatihan", "👍", None, None],
        [asked, "WhatsApp", "Budi", "Usaha Budi", "081234567890",
         "Apakah boleh bawa anak kecil ke kelas?", "Petugas", None, None, 2.5, "Ya"],
        [asked, "Telegram", "Siti Aminah", "Usaha Siti Aminah", "+6281234567890",
         "Apakah ada lowongan jadi mentor di dinas?", "Petugas", None, None, 5.5, "Terlambat"],
    ]  # fmt: skip
    assert book["Tanya Dinas"]["E3"].number_format == "@"  # the leading zero stays

    csv_rows = excel_id(export.csv_files()["Tanya Dinas.csv"])
    assert csv_rows[0] == HEADERS
    assert csv_rows[2][:2] == ["2026-12-01 09:00", "WhatsApp"]
    assert csv_rows[2][4] == "081234567890"  # ="…": Excel keeps it as text
    assert csv_rows[2][6:] == ["Petugas", "", "", 2.5, "Ya"]
    assert csv_rows[1][8] == "👍"

"""/ekspor in chat: staff get a workbook and one CSV per view; owners are refused kindly."""

from __future__ import annotations

import csv
import io

import openpyxl

from simulator import FakeUser
from tests.e2e.support import create_session, register_owner
from tests.harness import RunningBot


async def test_staff_receive_the_workbook_and_the_csv_files(
    bot: RunningBot, staff: FakeUser, siti: FakeUser
) -> None:
    session = await create_session(bot, "Foto <produk> & judul")
    await register_owner(bot, siti.id, "Siti Aminah")
    await bot.services.booking.book(siti.id, session.id)

    workbook, *csvs = await staff.command("ekspor")

    assert workbook.document is not None
    name, mime, data = workbook.document
    assert name == "dodolan-ekspor-20261201-0900.xlsx"
    assert mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "1 pemilik UKM, 1 sesi, 1 booking" in workbook.text
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Pemilik UKM", "Sesi", "Booking"]
    bookings = list(book["Booking"].iter_rows(values_only=True))
    assert "Foto <produk> & judul" in bookings[1] and "Siti Aminah" in bookings[1]

    names = [m.document[0] for m in csvs if m.document]
    assert names == [
        "dodolan-ekspor-20261201-0900-pemilik.csv",
        "dodolan-ekspor-20261201-0900-sesi.csv",
        "dodolan-ekspor-20261201-0900-peserta.csv",
    ]
    sessions = next(m.document[2] for m in csvs if m.document and "sesi.csv" in m.document[0])
    assert sessions.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(sessions.decode("utf-8-sig"))))
    assert rows[0][:3] == ["No. sesi", "Judul", "Mulai (WIB)"]
    assert rows[1][1] == "Foto <produk> & judul" and rows[1][2] == "2026-12-12 09:00"


async def test_the_english_alias_works_too(bot: RunningBot, staff: FakeUser) -> None:
    replies = await staff.command("export")
    assert [m.document is not None for m in replies] == [True, True, True, True]


async def test_an_owner_is_refused_and_gets_no_file(bot: RunningBot, siti: FakeUser) -> None:
    (refusal,) = await siti.command("ekspor")
    assert refusal.text == "Maaf, fitur ini khusus untuk petugas atau pelatih program."
    assert all(m.document is None for m in siti.messages)

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
    assert book.sheetnames == [
        "Pemilik UKM",
        "Sesi",
        "Booking",
        "Kehadiran & umpan balik",
        "Komentar peserta",
        "Tips",
        "Tips per topik",
    ]
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


async def test_export_shows_attendance_feedback_and_tips(
    bot: RunningBot, staff: FakeUser, siti: FakeUser
) -> None:
    session = await create_session(bot, "Foto produk")
    await siti.command("bantuan")
    await register_owner(bot, siti.id, "Siti Aminah")
    view = await bot.services.booking.book(siti.id, session.id)
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE bookings SET attended_at = '2026-12-12T02:05:00+00:00' WHERE id = ?",
            (view.booking.id,),
        )
    await bot.services.attendance.rate(siti.id, view.booking.id, 5)
    await bot.services.attendance.comment(siti.id, view.booking.id, "Mantap, jelas sekali")
    await siti.command("tips")
    workbook, *_ = await staff.command("ekspor")
    assert workbook.document is not None
    book = openpyxl.load_workbook(io.BytesIO(workbook.document[2]))
    bookings = list(book["Booking"].iter_rows(values_only=True))
    assert bookings[0][-1] == "Hadir (WIB)" and str(bookings[1][-1]) == "2026-12-12 09:05:00"
    feedback = list(book["Kehadiran & umpan balik"].iter_rows(values_only=True))
    assert feedback[1][1:] == ("Foto produk", 1, 1, 5)
    comments = list(book["Komentar peserta"].iter_rows(values_only=True))
    assert comments[1][:3] == ("Foto produk", 5, "Mantap, jelas sekali")
    tips = list(book["Tips"].iter_rows(values_only=True))
    assert tips[0] == ("Tips", "Topik", "Terkirim", "Bermanfaat", "Kurang membantu")
    assert len(tips) == 2 and tips[1][2] == 1

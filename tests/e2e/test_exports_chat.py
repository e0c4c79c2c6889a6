"""/ekspor in chat: staff get a workbook and a ZIP with one CSV per sheet; owners are refused."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl

from bot.services.exports import tip_title
from bot.services.tips_content import library
from simulator import FakeUser
from tests.e2e.support import create_session, register_owner
from tests.harness import RunningBot

SHEETS = [
    "Pemilik UKM",
    "Sesi",
    "Booking",
    "Kehadiran & umpan balik",
    "Komentar peserta",
    "Tips",
    "Tips per topik",
    "Tanya Dinas",
    "Hasil",
]


async def test_staff_receive_the_workbook_and_one_zip_with_a_csv_per_sheet(
    bot: RunningBot, staff: FakeUser, siti: FakeUser
) -> None:
    session = await create_session(bot, "Foto <produk> & judul")
    siti_id = await register_owner(bot, siti.id, "Siti Aminah")
    await bot.services.booking.book(siti_id, session.id)
    ani_id = await register_owner(bot, 2001, "Ani")
    ani = await bot.services.booking.book(ani_id, session.id)
    await bot.services.booking.cancel(ani_id, ani.booking.id)

    workbook, archive = await staff.command("ekspor")

    assert workbook.document is not None
    name, mime, data = workbook.document
    assert name == "dodolan-ekspor-20261201-0900.xlsx"
    assert mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "2 pemilik UKM terdaftar" in workbook.text
    assert "1 sesi, 0 di antaranya dibatalkan" in workbook.text
    assert "Booking: 1 terdaftar, 0 ditawari kursi, 0 di daftar tunggu" in workbook.text
    assert "1 booking lain sudah batal atau tidak jadi" in workbook.text  # not "2 booking"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == SHEETS
    bookings = list(book["Booking"].iter_rows(values_only=True))
    assert "Foto <produk> & judul" in bookings[1] and "Siti Aminah" in bookings[1]

    assert archive.document is not None
    name, _, zipped = archive.document
    assert name == "dodolan-ekspor-20261201-0900-csv.zip"
    assert "satu ZIP berisi 9 file, satu per lembar" in archive.text
    assert "Kehadiran & umpan balik" in archive.text
    # the caption names the files exactly as the ZIP holds them
    with zipfile.ZipFile(io.BytesIO(zipped)) as files:
        assert files.namelist() == [f"{sheet}.csv" for sheet in SHEETS]
        assert f"({', '.join(files.namelist())})" in archive.text
        sessions = files.read("Sesi.csv")
        owners = files.read("Pemilik UKM.csv")
        assert all(files.read(n).startswith(b"\xef\xbb\xbf") for n in files.namelist())
    rows = list(csv.reader(io.StringIO(sessions.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["No. sesi", "Judul", "Mulai (WIB)"]
    assert rows[1][1] == "Foto <produk> & judul" and rows[1][2] == "2026-12-12 09:00"
    people = list(csv.reader(io.StringIO(owners.decode("utf-8-sig")), delimiter=";"))
    assert people[0][4:6] == ["No. HP/WA", "Chat lewat"] and people[1][5] == "Telegram"
    assert people[1][4].startswith('="+62')  # text in Excel: the "+" stays


async def test_the_english_alias_works_too_in_english(bot: RunningBot, staff: FakeUser) -> None:
    staff_id = await bot.user_id_of(staff.id)
    await bot.services.users.seen(staff_id, "id")
    await bot.services.users.set_language(staff_id, "en")
    workbook, archive = await staff.command("export")
    assert workbook.document is not None and archive.document is not None
    assert "Registered UKM owners: 0" in workbook.text and "in one ZIP (9 files" in archive.text
    book = openpyxl.load_workbook(io.BytesIO(workbook.document[2]))
    assert book.sheetnames[:3] == ["UKM owners", "Sessions", "Bookings"]


async def test_an_owner_is_refused_and_gets_no_file(bot: RunningBot, siti: FakeUser) -> None:
    (refusal,) = await siti.command("ekspor")
    assert refusal.text == "Maaf, ekspor data khusus untuk petugas Dinas."  # not for trainers
    assert all(m.document is None for m in siti.messages)


async def test_export_shows_attendance_feedback_and_tips(
    bot: RunningBot, staff: FakeUser, siti: FakeUser
) -> None:
    session = await create_session(bot, "Foto produk")
    await siti.command("bantuan")
    siti_id = await register_owner(bot, siti.id, "Siti Aminah")
    view = await bot.services.booking.book(siti_id, session.id)
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE bookings SET attended_at = '2026-12-12T02:05:00+00:00' WHERE id = ?",
            (view.booking.id,),
        )
    await bot.services.attendance.rate(siti_id, view.booking.id, 5)
    await bot.services.attendance.comment(siti_id, view.booking.id, "Mantap, jelas sekali")
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
    assert tips[0] == (
        "Tips",
        "Topik",
        "Terkirim",
        "Bermanfaat",
        "Kurang membantu",
        "ID di tips.yaml",
    )
    assert len(tips) == 2 and tips[1][2] == 1
    (sent,) = await bot.services.db.fetch_all("SELECT tip_id, topic FROM tips_sent")
    tip = await library().get(sent["tip_id"])
    assert tip is not None
    title, topic, *_, tip_id = tips[1]
    assert tip_id == sent["tip_id"] and title == tip_title(tip, "id")  # what owners read
    assert title != tip_id and "<" not in str(title) and len(str(title)) <= 90
    label = bot.services.catalog.text("id", f"tips.topic.{sent['topic']}")
    assert topic == label != sent["topic"]
    topics = list(book["Tips per topik"].iter_rows(values_only=True))
    assert topics[0] == ("Topik", "Terkirim", "Bermanfaat", "Kurang membantu")
    assert topics[1] == (label, 1, 0, 0)

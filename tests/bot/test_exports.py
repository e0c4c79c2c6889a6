"""The staff export: sheets, headers, rows, WIB times, and CSV files Excel reads."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.models import Consent
from bot.core.notices import ChannelName
from bot.services.exports import Export, Sheet, Totals, sheet_csv, tip_title
from bot.services.sessions import SessionDraft
from bot.services.tips_content import Tip
from storage.owners import OwnerRepository
from tests.harness import FakeClock

SITI, BUDI = 1001, 1002  # internal ids of owners on no channel (test_exports_questions.py)
ANDI = 7001  # a trainer
WIB = ZoneInfo("Asia/Jakarta")
BOM = b"\xef\xbb\xbf"
_FORMULA_TEXT = re.compile(r'="(.*)"')
_NUMBER = re.compile(r"[+-]?\d+(,\d+)?")


def excel_id(data: bytes) -> list[list[object]]:
    """Read a CSV file as Excel set to Indonesian opens it by double-click.

    It needs the BOM to read UTF-8, splits at the list separator ";", and types each cell by
    its content whether quoted or not: a number-like cell ("+6281…", "0812…") becomes a number
    (the "+" and leading zeros are lost), ``="…"`` is a formula whose value is that text.
    """
    assert data.startswith(BOM), "without a BOM Excel reads the file as ANSI"
    values: list[list[object]] = []
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"):
        cells: list[object] = []
        for field in row:
            text = _FORMULA_TEXT.fullmatch(field)
            if text:
                cells.append(text.group(1))
            elif _NUMBER.fullmatch(field):
                cells.append(float(field.replace(",", ".")))
            else:
                cells.append(field)
        values.append(cells)
    return values


def wall(*parts: int) -> datetime:
    """A local (WIB) wall-clock time as a spreadsheet holds it: no zone."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture
async def services(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    env = {"DODOLAN_DATABASE": str(tmp_path / "db.sqlite3")}
    started = await Services.start(load_settings(env, require_token=False), clock)
    try:
        yield started
    finally:
        await started.close()


async def sign_up(services: Services, user_id: int, name: str, **values: object) -> None:
    now = services.now()
    await services.users.seen(user_id, "id")
    profile = {
        "full_name": name,
        "business_name": f"Usaha {name}",
        "category": "kuliner",
        "kecamatan": "klojen",
        "phone": "+6281234567890",
        "marketplaces": ("shopee", "tiktok"),
        "nib": None,
        **values,
    }
    await OwnerRepository(services.db).create(
        user_id, profile, Consent("registration", "1", now), now
    )


async def on_channel(services: Services, channel: ChannelName, external_id: str) -> int:
    """The internal id of someone who chats on ``channel`` as ``external_id``."""
    return await services.identities.register(channel, external_id, "id", services.now())


@pytest.fixture
async def export(services: Services, clock: FakeClock) -> Export:
    siti = await on_channel(services, ChannelName.TELEGRAM, "1001")  # Budi: on WhatsApp
    await sign_up(services, siti, "Siti Aminah", nib="0234567890123")
    clock.advance(minutes=30)
    budi = await on_channel(services, ChannelName.WHATSAPP, "6281234567890")
    await sign_up(services, budi, "=Budi", category="fashion", marketplaces=("none",))
    await services.users.seen(ANDI, "id")
    async with services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-01T00:00:00+00:00', 'Pak Andi')",
            (ANDI,),
        )
    start = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # 09.00 WIB
    session = await services.sessions.create(
        SessionDraft(
            "Foto produk",
            start,
            start + timedelta(hours=2),
            1,
            venue_name="Balai Kota",
            venue_address="Jl. Tugu 1",
            trainer_id=ANDI,
        ),
        created_by=None,
    )
    await services.sessions.create(
        SessionDraft(
            "Live jualan",
            start + timedelta(days=1),
            start + timedelta(days=1, hours=1),
            10,
            online_url="https://meet.example.org/x",
        ),
        created_by=None,
    )
    await services.booking.book(siti, session.id)
    clock.advance(minutes=5)
    await services.booking.book(budi, session.id)  # full: waiting list
    return await services.export_service().build()


def test_workbook_has_the_three_sheets_with_bold_frozen_headers(export: Export) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx()))
    assert book.sheetnames == [
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
    owners = book["Pemilik UKM"]
    assert [c.value for c in owners[1]] == [
        "Nama",
        "Usaha",
        "Jenis usaha",
        "Kecamatan",
        "No. HP/WA",
        "Chat lewat",
        "Marketplace",
        "NIB",
        "Terdaftar (WIB)",
    ]
    assert all(c.font.bold for c in owners[1])
    assert owners.freeze_panes == "A2"
    assert owners.column_dimensions["A"].width == 24


def test_owner_rows_use_indonesian_labels_and_wib_times(export: Export) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx()))
    rows = list(book["Pemilik UKM"].iter_rows(min_row=2, values_only=True))
    assert rows == [
        (
            "Siti Aminah",
            "Usaha Siti Aminah",
            "Kuliner/makanan-minuman",
            "Klojen",
            "+6281234567890",
            "Telegram",
            "Shopee, TikTok Shop",
            "0234567890123",
            wall(2026, 12, 1, 9, 0),
        ),
        (
            "=Budi",  # kept as text, never a formula
            "Usaha =Budi",
            "Fashion",
            "Klojen",
            "+6281234567890",
            "WhatsApp",
            "Belum pernah jualan online",
            None,
            wall(2026, 12, 1, 9, 30),
        ),
    ]


def test_session_and_booking_rows(export: Export) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx()))
    sessions = list(book["Sesi"].iter_rows(values_only=True))
    assert sessions[0][:4] == ("No. sesi", "Judul", "Mulai (WIB)", "Selesai (WIB)")
    assert sessions[1] == (
        1,
        "Foto produk",
        wall(2026, 12, 12, 9, 0),
        wall(2026, 12, 12, 11, 0),
        "Balai Kota, Jl. Tugu 1",
        "Pak Andi",
        1,
        1,
        1,
        "Dibuka",
    )
    assert sessions[0][5] == "Pelatih"
    assert sessions[2][4:6] == ("https://meet.example.org/x", None)  # no trainer yet
    bookings = list(book["Booking"].iter_rows(values_only=True))
    assert bookings[0] == (
        "No. sesi",
        "Sesi",
        "Mulai sesi (WIB)",
        "Nama",
        "Usaha",
        "No. HP/WA",
        "Chat lewat",
        "Status",
        "Dibuat (WIB)",
        "Hadir (WIB)",
    )
    assert [(r[3], r[6], r[7], r[8]) for r in bookings[1:]] == [
        ("Siti Aminah", "Telegram", "Terdaftar", wall(2026, 12, 1, 9, 30)),
        ("=Budi", "WhatsApp", "Daftar tunggu", wall(2026, 12, 1, 9, 35)),
    ]


def test_phone_numbers_and_nibs_are_text_cells_in_the_workbook(export: Export) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx()))
    siti = book["Pemilik UKM"][2]
    phone, nib = siti[4], siti[7]
    assert (phone.value, phone.data_type, phone.number_format) == ("+6281234567890", "s", "@")
    assert (nib.value, nib.data_type, nib.number_format) == ("0234567890123", "s", "@")


def test_csv_files_open_in_excel_set_to_indonesian_with_phone_numbers_intact(
    export: Export,
) -> None:
    files = export.csv_files()
    assert list(files) == [f"{sheet.title}.csv" for sheet in export.sheets]
    assert len(files) == 9  # every sheet of the workbook
    rows = excel_id(files["Booking.csv"])
    assert rows[0][3] == "Nama" and len(rows[0]) == 10  # split at ";" into its columns
    assert rows[1] == [
        1.0,
        "Foto produk",
        "2026-12-12 09:00",
        "Siti Aminah",
        "Usaha Siti Aminah",
        "+6281234567890",  # the "+" is kept: the cell is text
        "Telegram",
        "Terdaftar",
        "2026-12-01 09:30",
        "",  # not attended (yet)
    ]
    assert rows[2][3] == "'=Budi"  # a spreadsheet will not run it
    assert len(rows) == 1 + len(export.sheet("peserta").rows)
    owners = excel_id(files["Pemilik UKM.csv"])
    assert [r[4:8] for r in owners[1:]] == [
        ["+6281234567890", "Telegram", "Shopee, TikTok Shop", "0234567890123"],
        ["+6281234567890", "WhatsApp", "Belum pernah jualan online", ""],
    ]
    assert excel_id(files["Sesi.csv"])[1][5] == "Pak Andi"


def test_the_zip_holds_every_csv_file_named_as_its_sheet_dated_in_wib(export: Export) -> None:
    with zipfile.ZipFile(io.BytesIO(export.csv_zip(WIB))) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert (
            names == [f"{sheet.title}.csv" for sheet in export.sheets] == list(export.csv_files())
        )
        assert "Kehadiran & umpan balik.csv" in names
        assert archive.read("Booking.csv") == export.csv_files()["Booking.csv"]
        assert archive.getinfo("Sesi.csv").date_time == (2026, 12, 1, 9, 35, 0)


def test_a_title_a_file_system_refuses_is_made_safe() -> None:
    assert Sheet('A/B: "C"?', "x", (), (), ()).file_name == "A-B- -C--.csv"


def test_totals_count_what_they_say(export: Export) -> None:
    assert export.totals == Totals(
        owners=2,
        sessions=2,
        cancelled_sessions=0,
        confirmed=1,
        offered=0,
        waitlisted=1,
        ended=0,
    )


def test_a_tip_is_named_by_its_first_sentence_without_markup() -> None:
    tip = Tip(
        "aman-link-palsu",
        "security",
        frozenset(),
        frozenset(),
        "all",
        {
            "id": "Waspadai pesan <b>&quot;akun ditutup&quot;</b> berisi link. Jangan klik.",
            "en": "Beware of <b>links</b>. Do not tap them.",
        },
        1,
    )
    assert tip_title(tip, "id") == 'Waspadai pesan "akun ditutup" berisi link.'
    assert tip_title(tip, "en") == "Beware of links."
    long = Tip("x", "shop", frozenset(), frozenset(), "all", {"id": "kata " * 40}, 1)
    assert len(tip_title(long, "id")) <= 90 and tip_title(long, "id").endswith("kata…")


async def test_an_empty_database_exports_headers_only(services: Services) -> None:
    export = await services.export_service().build()
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx()))
    assert [book[name].max_row for name in book.sheetnames] == [1] * 9


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('Usaha;=HYPERLINK("http://x.test")', '\'Usaha;=HYPERLINK("http://x.test")'),
        ("Keripik; @SUM(A1)", "'Keripik; @SUM(A1)"),
        ("Tempe, +cmd|' /C calc'!A0", "'Tempe, +cmd|' /C calc'!A0"),
        ("  =1+1", "'  =1+1"),
        ("-2+3", "'-2+3"),
        ("\tBudi", "'\tBudi"),
        ("+6281234567890", "+6281234567890"),
        ("Jl. Tugu 1, -7.9362", "Jl. Tugu 1, -7.9362"),
        ("Siti = Aminah; bakso", "Siti = Aminah; bakso"),
    ],
)
def test_csv_cells_a_spreadsheet_could_run_are_kept_as_text(typed: str, written: str) -> None:
    sheet = Sheet("t", "t", ("Nama", "Kursi"), (16, 8), ((typed, 3),))
    text = sheet_csv(sheet).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1] == [written, "3"]
    assert text.splitlines()[1].startswith('"')  # quoted: no reader splits it at ";" or ","

"""Session import: every problem named by line and column; all sessions or none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.notices import ChannelName
from bot.services.session_import import SessionImporter, parse_sessions
from tests.harness import FakeClock

DATA = Path(__file__).parent.parent / "data"
WIB = ZoneInfo("Asia/Jakarta")
TRAINER_ID = 7001  # the trainer's Telegram id, as the file names trainers

BAD_CSV = """\
judul,tanggal,mulai,selesai,kapasitas,tempat,pelatih
Sesi yang baik,12-12-2026,09.00,11.00,20,Balai Kota,
Sudah lewat,2026-11-20,09.00,11.00,20,Balai Kota,
Terbalik,2026-12-14,11.00,09.00,20,Balai Kota,
Kapasitas aneh,2026-12-15,09.00,11.00,banyak,Balai Kota,
Pelatih siapa,2026-12-16,09.00,11.00,20,Balai Kota,424242
,2026-12-17,09.00,11.00,20,Balai Kota,
Tanggal kabur,31-02-2026,09.00,11.00,20,Balai Kota,
Kebanyakan,2026-12-18,09.00,11.00,9999,Balai Kota,
"""


@pytest.fixture
async def services(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    env = {"DODOLAN_DATABASE": str(tmp_path / "db.sqlite3"), "DODOLAN_STAFF_IDS": "9001"}
    started = await Services.start(load_settings(env, require_token=False), clock)
    trainer = await started.identities.register(
        ChannelName.TELEGRAM, str(TRAINER_ID), "id", clock()
    )
    async with started.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at) "
            "VALUES (?, 'trainer', 'invite', '2026-11-01T00:00:00+00:00')",
            (trainer,),
        )
    try:
        yield started
    finally:
        await started.close()


@pytest.fixture
def importer(services: Services) -> SessionImporter:
    return SessionImporter(
        services.sessions, services.users, WIB, services.now, services.identities
    )


@pytest.mark.parametrize("name", ["sessions_good.csv", "sessions_good.yaml"])
async def test_good_file_dry_run_creates_nothing_and_apply_creates_all(
    name: str, importer: SessionImporter, services: Services
) -> None:
    text = (DATA / name).read_text("utf-8")
    plan = await importer.check(text, "csv" if name.endswith(".csv") else "yaml")
    assert plan.problems == ()
    assert [p.draft.title for p in plan.sessions] == [
        "Foto produk pakai HP",
        "Jualan live di TikTok Shop",
    ]
    assert await services.sessions.all() == []

    created = await importer.apply(plan, created_by=None)

    stored = await services.sessions.all()
    assert [s.id for s in stored] == [s.id for s in created]
    first, second = stored
    assert first.starts_at == datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # 09.00 WIB
    assert first.ends_at == datetime(2026, 12, 12, 4, 0, tzinfo=UTC)
    assert (first.venue_name, first.venue_address) == (
        "Balai Kota Malang",
        "Jl. Tugu No. 1, Klojen",
    )
    assert (first.latitude, first.longitude) == (-7.9771, 112.634)
    assert second.online_url == "https://meet.example.org/dodolan"
    assert second.ends_at == datetime(2026, 12, 13, 8, 30, tzinfo=UTC)  # 15.30 WIB
    assert second.cutoff_at == datetime(2026, 12, 13, 3, 0, tzinfo=UTC)  # 3 hours before


async def test_bad_rows_are_all_reported_by_line_and_nothing_is_created(
    importer: SessionImporter, services: Services
) -> None:
    plan = await importer.check(BAD_CSV, "csv")

    assert [str(p) for p in plan.problems] == [
        "line 3, column tanggal: the session would start in the past",
        "line 4, column selesai: the session ends before it starts",
        "line 5, column kapasitas: cannot read 'banyak': write a whole number",
        "line 6, column pelatih: 424242 is not a trainer of the programme",
        "line 7, column judul: missing value",
        "line 8, column tanggal: cannot read '31-02-2026': "
        "write the date as 2026-12-12 or 12-12-2026",
        "line 9, column kapasitas: capacity must be between 1 and 500",
    ]
    with pytest.raises(ValueError, match="nothing was created"):
        await importer.apply(plan, created_by=None)
    assert await services.sessions.all() == []


async def test_a_known_trainer_is_accepted(importer: SessionImporter, services: Services) -> None:
    text = f"judul,tanggal,mulai,selesai,kapasitas,link,pelatih\nA,2026-12-12,09.00,10.00,5,https://x.id,{TRAINER_ID}\n"
    plan = await importer.check(text, "csv")
    assert plan.ok
    trainer = await services.identities.user_for(ChannelName.TELEGRAM, str(TRAINER_ID))
    assert trainer is not None and plan.sessions[0].draft.trainer_id == trainer != TRAINER_ID


def test_missing_and_unknown_columns_are_reported_once_on_the_header() -> None:
    text = "judul;tanggal;mulai;kapasitas;ruang\nA;2026-12-12;09.00;5;B\nC;2026-12-12;09.00;5;D\n"
    plan = parse_sessions(text, "csv", WIB)
    assert [str(p) for p in plan.problems] == [
        "line 1, column ruang: unknown column; expected judul/title, tanggal/date, mulai/start, "
        "selesai/end, kapasitas/capacity, tempat/venue, alamat/address, lat/latitude, "
        "lon/longitude, link/url, pelatih/trainer_id, batas/cutoff_hours",
        "line 1, column selesai/end: missing column",
    ]


def test_csv_lines_count_physical_lines_of_quoted_multiline_values() -> None:
    text = (
        "judul,tanggal,mulai,selesai,kapasitas,tempat,alamat\n"
        'A,2026-12-12,09.00,10.00,5,Aula,"Jl. X\nRT 1"\n'
        "\n"
        "B,2026-12-12,09.00,10.00,nol,Aula,\n"
    )
    plan = parse_sessions(text, "csv", WIB)
    assert [str(p) for p in plan.problems] == [
        "line 5, column kapasitas: cannot read 'nol': write a whole number"
    ]


async def test_yaml_problems_name_the_line_of_the_key(importer: SessionImporter) -> None:
    text = """\
- judul: Baik
  tanggal: 2026-12-12
  mulai: 09.00
  selesai: 11.00
  kapasitas: 10
  tempat: Balai Kota
- judul: Buruk
  tanggal: 2026-12-12
  mulai: 09.00
  selesai: 08.00
  kapasitas: dua puluh
  tempat: Balai Kota
- judul: Tanpa tempat
  tanggal: 2026-12-12
  mulai: "09:00"
  selesai: "10:00"
  kapasitas: 10
  ruangan: B
"""
    plan = await importer.check(text, "yaml")
    assert [str(p) for p in plan.problems] == [
        "line 11, column kapasitas: cannot read 'dua puluh': write a whole number",
        "line 13, column tempat/venue: give a venue (tempat) or an online link",
        "line 18, column ruangan: unknown key; expected judul/title, tanggal/date, "
        "mulai/start, selesai/end, kapasitas/capacity, tempat/venue, alamat/address, "
        "lat/latitude, lon/longitude, link/url, pelatih/trainer_id, batas/cutoff_hours",
    ]


def test_broken_yaml_names_its_line() -> None:
    plan = parse_sessions("- judul: A\n  tanggal: [2026\n", "yaml", WIB)
    (problem,) = plan.problems
    assert problem.line == 3
    assert "not valid YAML" in problem.message


def test_a_nul_byte_in_yaml_names_its_line() -> None:
    plan = parse_sessions("- judul: A\n  tempat: Balai\x00Kota\n", "yaml", WIB)
    assert [str(p) for p in plan.problems] == [
        "line 2: not valid YAML: character U+0000 is not allowed "
        "(remove it; the file may not be text)"
    ]


def test_deeply_nested_yaml_names_its_line_instead_of_recursing() -> None:
    text = "- judul: A\n  tanggal: 2026-12-12\n- judul: " + "[" * 100_000 + "]" * 100_000
    (problem,) = parse_sessions(text, "yaml", WIB).problems
    assert str(problem) == "line 3: lists and mappings nested over 10 deep"


def test_an_empty_file_is_a_problem() -> None:
    assert [str(p) for p in parse_sessions("", "yaml", WIB).problems] == [
        "line 1: the file holds no sessions"
    ]

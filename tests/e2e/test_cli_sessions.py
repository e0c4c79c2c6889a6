"""``dodolan sessions import`` and ``dodolan export`` in a child process, on a real file."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.e2e.test_process import run_cli

# The child runs on the real clock, so the sessions are dated a month from today.
DAY = (datetime.now(UTC) + timedelta(days=30)).date()


def db_env(tmp_path: Path) -> dict[str, str]:
    return {"DODOLAN_DATABASE": str(tmp_path / "dodolan.sqlite3"), "DODOLAN_LOG_LEVEL": "WARNING"}


def session_count(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "dodolan.sqlite3") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM training_sessions").fetchone()[0])


def write_good_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "sesi.yaml"
    path.write_text(
        f"""\
- judul: Foto produk pakai HP
  tanggal: {DAY:%d-%m-%Y}
  mulai: 09.00
  selesai: 11.00
  kapasitas: 20
  tempat: Balai Kota Malang
- judul: Jualan live
  tanggal: {DAY:%Y-%m-%d}
  mulai: "13:00"
  selesai: "14:30"
  kapasitas: 15
  link: https://meet.example.org/dodolan
""",
        encoding="utf-8",
    )
    return path


def test_dry_run_lists_the_sessions_and_creates_nothing(tmp_path: Path) -> None:
    write_good_yaml(tmp_path)
    code, out, err = run_cli(tmp_path, "sessions", "import", "sesi.yaml", **db_env(tmp_path))
    assert code == 0, err
    assert f"{DAY:%Y-%m-%d} 09.00 WIB" in out
    assert "Foto produk pakai HP" in out and "https://meet.example.org/dodolan" in out
    assert "Dry run: 2 session(s) would be created" in out
    assert session_count(tmp_path) == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"- judul: A\n  tempat: Balai\x00Kota\n", "line 2: not valid YAML: character U+0000"),
        (b"- judul: " + b"[" * 50_000 + b"]" * 50_000, "line 1: lists and mappings nested"),
    ],
)
def test_unreadable_yaml_is_one_clear_line_not_a_traceback(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    (tmp_path / "sesi.yaml").write_bytes(content)
    code, _, err = run_cli(tmp_path, "sessions", "import", "sesi.yaml", **db_env(tmp_path))
    assert code == 1 and "Traceback" not in err
    header, detail = err.splitlines()
    assert header == "sesi.yaml: 1 problem(s); nothing was created"
    assert detail.startswith(f"  {problem}")


def test_a_file_over_one_megabyte_is_refused_before_it_is_read(tmp_path: Path) -> None:
    row = f"Foto produk,{DAY:%Y-%m-%d},09.00,11.00,20,Balai Kota\n"
    (tmp_path / "sesi.csv").write_text(
        "judul,tanggal,mulai,selesai,kapasitas,tempat\n" + row * 25_000, encoding="utf-8"
    )
    code, out, err = run_cli(tmp_path, "sessions", "import", "sesi.csv", **db_env(tmp_path))
    assert code == 1 and out == "" and "Traceback" not in err
    assert err == "dodolan: sesi.csv is larger than 1 MB; split it into smaller files\n"
    assert not (tmp_path / "dodolan.sqlite3").exists()


def test_apply_creates_every_session(tmp_path: Path) -> None:
    write_good_yaml(tmp_path)
    code, out, err = run_cli(
        tmp_path, "sessions", "import", "sesi.yaml", "--apply", **db_env(tmp_path)
    )
    assert code == 0, err
    assert "Created 2 session(s): ids 1, 2." in out
    assert session_count(tmp_path) == 2


def test_a_bad_file_exits_1_naming_lines_and_creates_nothing(tmp_path: Path) -> None:
    (tmp_path / "sesi.csv").write_text(
        "judul,tanggal,mulai,selesai,kapasitas,tempat\n"
        f"Baik,{DAY:%Y-%m-%d},09.00,11.00,20,Balai Kota\n"
        f"Terbalik,{DAY:%Y-%m-%d},11.00,09.00,20,Balai Kota\n"
        "Kabur,besok,09.00,11.00,20,Balai Kota\n",
        encoding="utf-8-sig",  # as Excel's "CSV UTF-8" saves it
    )
    code, out, err = run_cli(
        tmp_path, "sessions", "import", "sesi.csv", "--apply", **db_env(tmp_path)
    )
    assert code == 1
    assert "2 problem(s); nothing was created" in err
    assert "line 3, column selesai: the session ends before it starts" in err
    assert "line 4, column tanggal: cannot read 'besok'" in err
    assert out == ""
    assert session_count(tmp_path) == 0


def test_an_unknown_file_type_exits_1(tmp_path: Path) -> None:
    (tmp_path / "sesi.txt").write_text("x", encoding="utf-8")
    code, _, err = run_cli(tmp_path, "sessions", "import", "sesi.txt", **db_env(tmp_path))
    assert code == 1
    assert "use a .csv, .yaml or .yml file" in err


def test_export_writes_a_workbook_and_csv_files(tmp_path: Path) -> None:
    write_good_yaml(tmp_path)
    run_cli(tmp_path, "sessions", "import", "sesi.yaml", "--apply", **db_env(tmp_path))

    code, out, err = run_cli(tmp_path, "export", "--output", "rekap.xlsx", **db_env(tmp_path))
    assert code == 0, err
    assert "rekap.xlsx" in out
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "rekap.xlsx").read_bytes()))
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
    assert [r[1] for r in book["Sesi"].iter_rows(min_row=2, values_only=True)] == [
        "Foto produk pakai HP",
        "Jualan live",
    ]

    code, out, err = run_cli(
        tmp_path, "export", "--format", "csv", "--output", "rekap.csv", **db_env(tmp_path)
    )
    assert code == 0, err
    for view in ("Pemilik UKM", "Sesi", "Booking"):
        assert (tmp_path / f"rekap - {view}.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_tasks_check_lists_problems_with_line_numbers(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "tasks", "check")
    assert code == 0 and "tasks (" in out and "all fine" in out, err
    (tmp_path / "tasks.yaml").write_text(
        "tasks:\n  - id: Foto!\n    day: 99\n    proof: video\n    indonesia: Foto\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(tmp_path, "tasks", "check", "tasks.yaml")
    assert code == 1
    assert "line 2: id must be lower-case" in err and "day must be a whole number" in err
    assert "proof 'video' is not one of none, link, photo" in err
    assert "missing text in 'english'" in err

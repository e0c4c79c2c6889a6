"""The FAQ file and its search: problems with line numbers; slang, typos and English found."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.services.faq_content import DEFAULT_FAQ_FILE, parse_faq, read_faq
from bot.services.faq_search import FaqIndex, FaqLibrary, terms

INDEX = FaqIndex(read_faq())


def test_the_shipped_faq_is_clean_and_dodolan_faq_check_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    entries, problems = parse_faq(DEFAULT_FAQ_FILE.read_text("utf-8"))
    assert problems == [] and len(entries) >= 11
    assert main(["faq", "check"]) == 0
    assert "all fine" in capsys.readouterr().out


def test_a_broken_entry_is_reported_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "faq.yaml"
    broken.write_text(
        "faq:\n"
        "  - id: biaya\n"
        "    title: {id: Biaya, en: Cost}\n"
        "    questions:\n"
        "      id: [bayar]\n"
        "      en: [cost, fee, free]\n"
        "    answer:\n"
        "      id: Gratis <b>tanpa tutup\n"
        "      en: Free.\n",
        encoding="utf-8",
    )
    assert main(["faq", "check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "line 5: questions id: at least 3 forms" in err
    assert "line 8: answer id: formatting the bot cannot send" in err


def test_slang_and_stems_meet_the_faq_words() -> None:
    assert terms("gmn cara batalin booking sy?") == ["batal", "booking"]
    assert terms("Pelatihannya bayarrr nggak") == ["latih", "bayar"]


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("Bu, pelatihannya bayar nggak?", "biaya"),
        ("is the training free", "biaya"),
        ("sertifkatnya dapet gak?", "sertifikat"),
        ("cara daftar Shopee gimana?", "buka-toko"),
        ("ada parkir mobil ga di tempat pelatihan", "tempat-parkir"),
    ],
)
def test_a_clear_question_is_answered_at_once(question: str, entry: str) -> None:
    found = INDEX.find(question)
    assert found.confident is not None and found.confident.entry.id == entry


@pytest.mark.parametrize(
    "question",
    [
        "NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?",
        "apakah ada bantuan modal usaha dari Dinas?",
    ],
)
def test_a_question_the_faq_does_not_cover_is_for_a_person(question: str) -> None:
    found = INDEX.find(question)
    assert found.confident is None and found.offered == ()


async def test_the_running_bot_picks_up_an_edit_and_keeps_the_old_answers_on_a_broken_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "faq.yaml"
    shipped = DEFAULT_FAQ_FILE.read_text("utf-8")
    path.write_text(shipped, encoding="utf-8")
    library = FaqLibrary(path)
    assert "biaya" in (await library.index()).by_id
    edited = shipped.replace("  - id: biaya\n", "  - id: ongkos\n", 1)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, (1, 1))  # a new modification time, however fast the test runs
    index = await library.index()
    assert "ongkos" in index.by_id and "biaya" not in index.by_id
    path.write_text("faq: [", encoding="utf-8")
    os.utime(path, (2, 2))
    assert (await library.index()) is index  # a broken edit changes nothing

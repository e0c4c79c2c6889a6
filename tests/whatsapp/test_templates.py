"""The template catalog: the shipped file follows Meta's rules, and each rule is enforced."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from handlers.whatsapp.payloads import template_payload
from handlers.whatsapp.templates import (
    DEFAULT_PATH,
    Template,
    TemplateCatalog,
    check,
    load,
    main,
    render,
    to_graph,
)

NEEDED = {
    "dodolan_reminder": "UTILITY",
    "dodolan_seat_offer": "UTILITY",
    "dodolan_session_changed": "UTILITY",
    "dodolan_session_cancelled": "UTILITY",
    "dodolan_waitlist_moved": "UTILITY",
    "dodolan_announcement": "MARKETING",
    "dodolan_reopen": "UTILITY",
    "dodolan_followup": "UTILITY",
    "dodolan_tip": "UTILITY",
    "dodolan_feedback": "UTILITY",
    "dodolan_task": "UTILITY",
    "dodolan_checkin": "UTILITY",
    "dodolan_message": "UTILITY",
    "dodolan_question_answered": "UTILITY",  # Tanya Dinas: an answer, "tap to read it"
}
GOOD = Template(
    name="dodolan_test",
    category="UTILITY",
    language="id",
    body="Halo! Sesi *{{1}}* mulai {{2}}. Sampai jumpa.",
    samples=("Foto Produk", "Sabtu, 12 Desember 2026, 09.00 WIB"),
    header="Pengingat {{1}}",
    header_samples=("Dodolan",),
    footer="Dodolan · Kota Malang",
    buttons=("Saya hadir", "Tidak bisa hadir"),
)


def problems_of(**changes: object) -> list[str]:
    return check(TemplateCatalog((dataclasses.replace(GOOD, **changes),)))


def test_the_shipped_file_passes_and_holds_every_template_the_bot_needs() -> None:
    catalog = load()
    assert check(catalog) == []
    for name, category in NEEDED.items():
        assert set(catalog.languages(name)) == {"id", "en"}
        assert {catalog.get(name, lang).category for lang in ("id", "en")} == {category}
    assert main([]) == 0


def test_the_quick_replies_read_as_agreed() -> None:
    catalog = load()
    assert catalog.get("dodolan_reminder", "id").buttons == ("Saya hadir", "Tidak bisa hadir")
    assert catalog.get("dodolan_reminder", "en").buttons == ("I'll be there", "Can't make it")
    announcement = catalog.get("dodolan_announcement", "id")
    assert announcement.header == "Pengumuman Dodolan" and announcement.variables == 1
    assert announcement.buttons == ("Berhenti",)
    assert len(catalog.get("dodolan_seat_offer", "en").buttons) == 2


def test_render_shows_what_the_person_reads() -> None:
    reminder = load().get("dodolan_reminder", "id")
    text = render(
        reminder,
        ["Foto Produk Pakai HP", "Sabtu, 12 Desember 2026, 09.00 WIB", "Malang Creative Center"],
    )
    assert "*Foto Produk Pakai HP*\n🗓 Sabtu, 12 Desember 2026, 09.00 WIB\n📍 Malang" in text
    assert text.startswith("*Pengingat sesi Dodolan*")
    assert text.endswith("[ Saya hadir ]\n[ Tidak bisa hadir ]")
    assert "{{" not in text
    with pytest.raises(ValueError, match="takes 3 values"):
        render(reminder, ["only one"])


def test_to_graph_is_metas_template_creation_body() -> None:
    assert to_graph(GOOD) == {
        "name": "dodolan_test",
        "language": "id",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Pengingat {{1}}",
                "example": {"header_text": ["Dodolan"]},
            },
            {
                "type": "BODY",
                "text": "Halo! Sesi *{{1}}* mulai {{2}}. Sampai jumpa.",
                "example": {"body_text": [["Foto Produk", "Sabtu, 12 Desember 2026, 09.00 WIB"]]},
            },
            {"type": "FOOTER", "text": "Dodolan · Kota Malang"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Saya hadir"},
                    {"type": "QUICK_REPLY", "text": "Tidak bisa hadir"},
                ],
            },
        ],
    }


def test_each_shipped_template_can_be_sent_with_its_samples() -> None:
    for template in load().templates:
        payload = template_payload(
            "6281234567890",
            template.name,
            template.language,
            template.samples,
            [f"q:{i}" for i in range(len(template.buttons))],
        )
        assert payload["template"]["language"] == {"code": template.language}


def test_a_good_template_has_no_problems() -> None:
    assert problems_of() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "Dodolan-Reminder"}, "lowercase"),
        ({"name": "x" * 513}, "lowercase"),
        ({"category": "PROMO"}, "category"),
        ({"language": "indonesian"}, "language code"),
        ({"body": "", "samples": ()}, "characters"),
        ({"body": "Halo " + "a" * 1020}, "characters"),
        ({"body": "Halo {{1}} dan {{3}}."}, "numbered"),
        ({"body": "Halo {{2}} lalu {{1}}."}, "numbered"),
        ({"body": "Halo {{nama}} dan {{waktu}}."}, "positional"),
        ({"samples": ("Foto Produk",)}, "samples"),
        ({"samples": ("Foto Produk", " ")}, "empty"),
        ({"body": "{{1}} mulai {{2}}. Sampai jumpa."}, "start or end"),
        ({"body": "Sesi {{1}} mulai {{2}}"}, "start or end"),
        ({"body": "Sesi {{1}} {{2}} ya."}, "text between"),
        ({"body": "Sesi {{1}}\n\n\nmulai {{2}}."}, "empty line"),
        ({"body": "Sesi {{1}}    mulai {{2}}."}, "four spaces"),
        ({"body": "Sesi {{1}} mulai {{2}. Ya."}, "braces"),
        ({"header": "H" * 61}, "header: 61"),
        ({"header": "{{1}} dan {{2}}", "header_samples": ("a", "b")}, "at most one variable"),
        ({"header": "Pengingat {{1}}", "header_samples": ()}, "samples"),
        ({"header": "Dua\nbaris", "header_samples": ()}, "one line"),
        ({"header": None}, "header samples without a header"),
        ({"footer": "F" * 61}, "footer: 61"),
        ({"footer": "Halo {{1}}"}, "static"),
        ({"buttons": tuple(f"Pilihan {i}" for i in range(11))}, "at most 10"),
        ({"buttons": ("Ini teks tombol yang terlalu panjang",)}, "1 to 25"),
        ({"buttons": ("Ya", "Ya")}, "differ"),
    ],
)
def test_each_broken_rule_is_caught(changes: dict[str, object], expected: str) -> None:
    problems = problems_of(**changes)
    assert any(expected in p for p in problems), problems


def test_languages_of_one_name_must_match() -> None:
    english = dataclasses.replace(
        GOOD,
        language="en",
        body="Hello! *{{1}}* starts soon. See you.",
        samples=("Product Photos",),
    )
    problems = check(TemplateCatalog((GOOD, english)))
    assert any("languages differ" in p for p in problems)
    fewer_buttons = dataclasses.replace(GOOD, language="en", buttons=("I'll be there",))
    assert any("languages differ" in p for p in check(TemplateCatalog((GOOD, fewer_buttons))))
    assert any("written twice" in p for p in check(TemplateCatalog((GOOD, GOOD))))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not: [valid", "not valid YAML"),
        ("other: []", "templates:"),
        ("templates:\n  - category: UTILITY", "needs a name"),
        ("templates:\n  - name: x\n    category: UTILITY", "no language"),
        ("templates:\n  - name: x\n    id: {samples: []}", "needs a body"),
        ("templates:\n  - name: x\n    id: {body: Halo, buttons: Ya}", "list of texts"),
    ],
)
def test_a_malformed_file_is_named(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "templates.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=expected):
        load(path)
    assert main([str(path)]) == 1


def test_the_default_path_is_the_content_file() -> None:
    assert DEFAULT_PATH.parts[-2:] == ("content", "whatsapp_templates.yaml")

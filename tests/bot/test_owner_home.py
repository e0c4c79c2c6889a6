"""The owner's home words built once: help by role, and the "my data" summary with its file."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import StaleAction
from bot.core.models import Role
from bot.i18n import Catalog
from bot.services.owner_home import DATA_FILE, data_screen, erase_answer, help_screen
from bot.services.owner_menu import owner_menu

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_help_has_a_section_per_role_held(catalog: Catalog) -> None:
    owner = help_screen(catalog, "id", frozenset({Role.OWNER}), registered=True)
    trainer = help_screen(catalog, "id", frozenset({Role.OWNER, Role.TRAINER}), registered=True)

    assert owner.text.startswith(catalog.text("id", "help.owner_lead"))
    assert (
        trainer.text.startswith(owner.text) and catalog.text("id", "help.trainer") in trainer.text
    )
    assert catalog.text("id", "help.staff") not in trainer.text


def test_the_owners_help_is_the_owners_menu_for_what_they_are(catalog: Catalog) -> None:
    owner = help_screen(catalog, "id", frozenset({Role.OWNER}), registered=True).text
    guest = help_screen(catalog, "id", frozenset({Role.OWNER}), registered=False).text
    for entry in owner_menu(catalog, "id", registered=True):
        assert f"/{entry.word} – {entry.about}" in owner
    assert "/bookingsaya" in owner and "/daftar –" not in owner
    assert "/bookingsaya" not in guest and "/daftar –" in guest  # a guest is offered sign-up
    english = help_screen(catalog, "en", frozenset({Role.OWNER}), registered=True).text
    assert "/sessions –" in english and "/mybooking –" in english and "/batal" not in english
    for text in (owner, guest, english):
        assert "/menu –" in text


@pytest.mark.parametrize(
    ("language", "stop", "check"),
    [("id", "/berhentitugas", "cek "), ("en", "/stoptasks", "/verify ")],
)
def test_help_names_the_task_certificate_and_outcome_commands(
    catalog: Catalog, language: str, stop: str, check: str
) -> None:
    owner = help_screen(catalog, language, frozenset({Role.OWNER}), registered=True).text
    roles = frozenset({Role.OWNER, Role.TRAINER})
    trainer = help_screen(catalog, language, roles, registered=True).text
    staff_roles = frozenset({Role.OWNER, Role.STAFF})
    staff = help_screen(catalog, language, staff_roles, registered=None).text

    assert stop in owner and check in owner
    assert "/hasil" not in owner and "/sertifikat" not in owner
    assert ("/hasil" if language == "id" else "/outcome") in trainer
    assert ("/sertifikat" if language == "id" else "/certificates") in staff


def _export(**changes: object) -> dict[str, object]:
    export: dict[str, object] = {
        "profile": None,
        "roles": [],
        "consents": [],
        "language": "id",
        "first_contact": "2026-12-01T02:00:00+00:00",
        "bookings": [],
        "tips_received": [],
        "tip_opinions": [],
        "settings": {"announcements": True, "daily_tip": None},
    }
    return {**export, **changes}


def test_someone_not_signed_up_is_told_what_the_channel_keeps_and_gets_the_file(
    catalog: Catalog,
) -> None:
    export = _export()

    notice = data_screen(catalog, "id", export, WIB, nothing_key="wa.data.nothing")

    assert notice.text == catalog.text("id", "wa.data.nothing")
    (file,) = notice.follow_ups
    assert file.attachment is not None and file.attachment.name == DATA_FILE
    assert json.loads(file.attachment.content or b"") == export


def test_a_trainer_without_a_profile_sees_the_role_kept(catalog: Catalog) -> None:
    export = _export(roles=[{"role": "trainer", "name_shown_to_owners": "Pak Joko"}])

    notice = data_screen(catalog, "id", export, WIB, file_name="data.json.txt")

    assert "Pak Joko" in notice.text
    assert notice.follow_ups[0].attachment is not None
    assert notice.follow_ups[0].attachment.name == "data.json.txt"


def test_the_files_kept_are_listed_with_type_size_and_date_and_the_rest_counted(
    catalog: Catalog,
) -> None:
    profile = {
        "full_name": "Siti",
        "business_name": "Warung Siti",
        "category": "kuliner",
        "kecamatan": "klojen",
        "phone": "+6281234567890",
        "marketplaces": [],
        "nib": None,
    }
    sent = "2026-12-12T02:00:00+00:00"
    files = [
        {"name": "<nota>.pdf", "kind": "document", "type": "application/pdf", "size": 1536},
        {"name": None, "kind": "photo", "type": "image/jpeg", "size": 812},
        {"name": None, "kind": "photo", "type": "image/png", "size": 3 * 1024 * 1024},
    ]
    files = [{**f, "sent_at": sent, "sent_with": "question"} for f in files]
    files[2]["sent_with"] = "practice_task"
    export = _export(profile=profile, files=files * 4)

    text = data_screen(catalog, "id", export, WIB).text

    assert "📎 &lt;nota&gt;.pdf (PDF, 1,5 KB), Sabtu, 12 Desember 2026, 09.00 WIB" in text
    assert "📎 lampiran pertanyaan (Foto, 812 B)" in text
    assert "📎 bukti tugas latihan (Foto, 3 MB)" in text
    assert "Berkas yang Anda kirim (12)" in text and "dan 2 berkas lainnya" in text
    english = data_screen(catalog, "en", export, WIB).text
    assert "📎 question attachment (Photo, 812 B)" in english


def test_the_erase_answer_is_read_once_and_a_new_persons_tap_is_stale() -> None:
    assert erase_answer("del:v1:yes", first_contact=False) is True
    assert erase_answer("del:v1:no", first_contact=False) is False
    for choice in ("del:v1:yes", "del:v1:no"):
        with pytest.raises(StaleAction):
            erase_answer(choice, first_contact=True)  # the data it asked about is gone
    for forged in (None, "del:v1:maybe", "del:v2:yes", "bk:v1:yes"):
        with pytest.raises(StaleAction):
            erase_answer(forged, first_contact=False)

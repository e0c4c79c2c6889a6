"""The owners' menu every channel renders: its entries, their order, and who sees which."""

from __future__ import annotations

from bot.app.container import Services
from bot.services.owner_menu import MAX_ENTRIES, owner_menu


def _words(services: Services, registered: bool | None, language: str = "id") -> list[str]:
    return [e.word for e in owner_menu(services.catalog, language, registered=registered)]


def test_a_guest_is_offered_sign_up_and_nothing_that_needs_a_profile(services: Services) -> None:
    assert _words(services, False) == [
        "daftar",
        "jadwal",
        "tips",
        "bahasa",
        "datasaya",
        "hapusdata",
        "bantuan",
    ]


def test_an_owner_is_offered_their_bookings_profile_and_announcements_off(
    services: Services,
) -> None:
    words = _words(services, True)
    assert words == [
        "jadwal",
        "bookingsaya",
        "tips",
        "tipsharian",
        "profil",
        "bahasa",
        "berhenti",
        "datasaya",
        "hapusdata",
        "bantuan",
    ]
    assert len(words) <= MAX_ENTRIES  # a WhatsApp list's rows


def test_one_menu_for_everyone_has_every_entry_in_order(services: Services) -> None:
    words = _words(services, None)
    assert words[:3] == ["daftar", "jadwal", "bookingsaya"] and "berhenti" in words
    assert set(_words(services, True)) | set(_words(services, False)) == set(words)


def test_an_entry_has_its_texts_and_command_in_the_readers_language(services: Services) -> None:
    (schedule,) = (
        e for e in owner_menu(services.catalog, "en", registered=True) if e.word == "jadwal"
    )
    assert schedule.command_name("en") == "sessions" and schedule.command_name("id") == "jadwal"
    assert schedule.title and schedule.about and schedule.command
    assert schedule.command == services.catalog.text("en", "command.sessions")
    indonesian = owner_menu(services.catalog, "id", registered=True)[0]
    assert indonesian.title == "Jadwal sesi"
    assert indonesian.about == "Lihat sesi pelatihan dan pesan kursi"

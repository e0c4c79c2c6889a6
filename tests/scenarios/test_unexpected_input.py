"""Input a step did not expect, and a tap on a page that no longer exists: one answer on every
channel, decided in bot/services/unexpected.py (issue 21).

Where the channels disagreed, the better answer now holds on both: a tapped page of a list
that shrank was "your booking changed, see /bookingsaya" on Telegram (there was no booking);
WhatsApp's "that button is from an old message, nothing changed" holds everywhere, without
promising a question below when none follows. A file sent where a choice is needed was asked
for written text on both; it now points to the choices.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.notices import ChannelName
from tests.e2e.support import SATURDAY_9, create_session
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.journeys import AGREE, sign_up

NEXT = "Berikutnya ▶️"
OLD = "Tombol itu dari pesan lama, jadi tidak saya pakai dan tidak ada yang berubah."
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d7d34d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_a_page_of_a_list_that_shrank_is_from_an_old_message(
    siti: Driver, both: RunningBot
) -> None:
    sessions = [
        await create_session(both, f"Kelas {n + 1:02d}", starts_at=SATURDAY_9 + timedelta(n))
        for n in range(13)
    ]
    await siti.say("/jadwal")
    assert NEXT in siti.read().choices
    for gone in sessions[1:]:  # one session, one page is all there is now
        await both.services.sessions.cancel(gone.id)

    await siti.tap(NEXT)
    answer = siti.read().text
    assert answer.startswith(OLD), answer
    assert "bookingsaya" not in answer and "di bawah ini" not in answer  # nothing follows


# Declared: the plain-text test channel carries no files, so this runs on the two that do.
@pytest.mark.parametrize("channel", [ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
async def test_a_file_where_a_choice_is_needed_points_to_the_choices(
    siti: Driver, both: RunningBot
) -> None:
    await siti.say("/start")
    await siti.tap(AGREE)
    await siti.say("Siti Aminah")
    await siti.say("Warung Siti")
    siti.read()

    await siti.send_file("foto.pdf", PDF, "application/pdf")
    seen = siti.read()
    assert "silakan pilih salah satu pilihan di bawah" in seen.text, seen.text
    assert "berupa tulisan" not in seen.text
    assert "Kuliner/makanan-minuman" in seen.messages[-1].choices  # the question again
    dialog = await both.services.dialogs.current(await siti.user_id())
    assert dialog is not None and dialog.step == "category"


def the_menu_follows(driver: Driver, seen: str, choices: tuple[str, ...]) -> bool:
    """The person's menu under a lead. Declared difference: WhatsApp shows it as its "Menu"
    list (rows to pick), Telegram and the text channel as the help, whose lines name the
    commands."""
    if driver.channel is ChannelName.WHATSAPP:
        return "Profil usaha" in choices or "Daftar program" in choices
    return "/jadwal" in seen and "/bantuan" in seen


async def test_a_newcomer_who_writes_anything_is_welcomed_into_sign_up(
    siti: Driver, both: RunningBot
) -> None:
    # Telegram used to answer "I don't understand, use the buttons" with no button to press.
    await siti.say("bakso Lowokwaru")  # not a question (that gets "sign up first")
    seen = siti.read()
    assert "Apakah Anda setuju?" in seen.text, seen.text  # the consent, under a welcome
    assert AGREE in seen.choices
    dialog = await both.services.dialogs.current(await siti.user_id())
    assert dialog is not None and dialog.step == "consent"
    assert await both.services.profile.get(await siti.user_id()) is None


async def test_a_newcomer_who_says_mulai_is_welcomed_into_sign_up(
    siti: Driver, both: RunningBot
) -> None:
    # Telegram turned announcements "on" for someone who had not signed up, and said so.
    await siti.say("/mulai")
    seen = siti.read()
    assert "Apakah Anda setuju?" in seen.text and AGREE in seen.choices, seen.text
    assert "Pengumuman" not in seen.text
    assert await both.services.profile.get(await siti.user_id()) is None
    assert await both.services.broadcasts.wants_announcements(await siti.user_id())
    await sign_up(siti)  # from that consent
    siti.read()
    await siti.say("/berhenti")
    siti.read()
    await siti.say("/mulai")  # a signed-up owner: announcements on again
    assert siti.read().text.startswith("Siap, pengumuman umum akan kami kirim lagi")
    assert await both.services.broadcasts.wants_announcements(await siti.user_id())


async def test_small_talk_and_gibberish_from_an_owner_get_a_word_and_the_menu(
    siti: Driver, both: RunningBot
) -> None:
    await siti.say("/start")
    await sign_up(siti)
    siti.read()

    await siti.say("makasih ya")
    back = siti.read()
    # the name she signed up with, on every channel (WhatsApp used its profile name)
    assert back.text.startswith("Selamat datang kembali, Siti Aminah!"), back.text
    assert the_menu_follows(siti, back.text, back.choices)

    await siti.say("asdfgh")
    pointer = siti.read()
    assert pointer.text.startswith("Maaf, saya belum paham pesan itu"), pointer.text
    assert the_menu_follows(siti, pointer.text, pointer.choices)
    rows = await both.services.db.fetch_all("SELECT id FROM questions")
    assert rows == []  # neither was taken as a question


# Declared: the plain-text test channel carries no files, so this runs on the two that do.
@pytest.mark.parametrize("channel", [ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
async def test_a_photo_from_an_owner_is_thanked_for_and_the_menu_follows(
    siti: Driver, both: RunningBot
) -> None:
    # Telegram answered a photo with the words for text it did not understand, and no menu.
    await siti.say("/start")
    await sign_up(siti)
    siti.read()

    await siti.send_file("warung.png", PNG, "image/png")
    seen = siti.read()
    assert seen.text.startswith("Terima kasih! Tapi di sini saya hanya bisa membaca tulisan")
    assert the_menu_follows(siti, seen.text, seen.choices)


# Declared: the plain-text test channel has no buttons to tap twice (a number typed again
# picks from the newest menu), so this runs on the two channels that have them.
@pytest.mark.parametrize("channel", [ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
async def test_a_double_tap_is_only_noted_and_changes_nothing_more(
    siti: Driver, both: RunningBot
) -> None:
    await siti.say("/start")
    await sign_up(siti)
    await create_session(both, "Foto Produk Pakai HP")
    siti.read()

    await siti.say("/jadwal")
    await siti.tap("✅ Pesan kursi")
    siti.read()
    await siti.tap_again()
    assert siti.read().text == "Sudah saya catat ✓"  # not "this button no longer applies"
    bookings = await both.services.booking.current(await siti.user_id())
    assert len(bookings) == 1

    await siti.say("/bahasa")
    await siti.tap("🇬🇧 English")
    assert "Done, from now on I will write in English." in siti.read()
    await siti.tap_again()  # Telegram switched again and said so again
    assert siti.read().text == "Already noted ✓"

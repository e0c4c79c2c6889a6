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
from tests.scenarios.journeys import AGREE

NEXT = "Berikutnya ▶️"
OLD = "Tombol itu dari pesan lama, jadi tidak saya pakai dan tidak ada yang berubah."
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

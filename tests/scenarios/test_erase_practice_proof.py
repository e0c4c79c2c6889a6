"""A practice task's proof is the owner's file: /datasaya lists it, and /hapusdata deletes it
with the review queued to the trainer that carried it, leaving no byte on disk (Telegram and
WhatsApp)."""

from __future__ import annotations

from datetime import timedelta

from simulator import BotApiEmulator
from tests.e2e.test_two_channels import database_bytes
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.test_owner_settings import ERASE
from tests.scenarios.test_practice_tasks import arrives, attended_session, channel, png

__all__ = ["channel"]  # Telegram and WhatsApp: tasks come on the bot's own initiative

MARK = b"bukti-toko-siti-4417"


async def test_an_erased_owners_practice_proof_leaves_nothing_and_was_listed_before(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await attended_session(siti, both, emulator)
    end = both.clock.moment
    for day in (1, 2, 3):
        await arrives(siti, both, timedelta(days=day), end)
    assert "lima produk" in await arrives(siti, both, timedelta(days=4), end)
    await siti.tap("✅ Sudah")
    siti.read()
    screenshot = png() + MARK
    await siti.send_file("toko.png", screenshot, "image/png")
    assert "Bukti Anda sudah kami kirim" in siti.read()
    review = "SELECT 1 FROM outbox WHERE kind = 'practice_review'"
    assert await both.services.db.fetch_one(review) is not None  # queued to Pak Joko

    await siti.say("/datasaya")
    seen = siti.read()
    assert "bukti tugas latihan (Foto" in seen

    await siti.say("/hapusdata")
    await siti.tap(ERASE[siti.channel])
    assert "sudah kami hapus" in siti.read()
    assert await both.services.db.fetch_one(review) is None  # the trainer gets no dead card
    await both.tick()
    assert MARK not in database_bytes(both.settings.database)

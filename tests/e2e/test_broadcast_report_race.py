"""A broadcast that is delivered, and marked done by the periodic work, before its status
message is shown still ends with its report (the demo's browser test saw the status stay at
"Terkirim: 0 · sisa: 3" for good when the machine was loaded)."""

from __future__ import annotations

import asyncio

from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import register_owner
from tests.harness import RunningBot
from tests.waiting import GUARD

ANNOUNCEMENT = "Besok pelatihan pindah ke lantai 2, ya."


async def test_a_broadcast_done_before_its_status_message_is_shown_still_shows_its_report(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = emulator.user(2001, "Ani", language_code="id")
    emulator.open_chat(ani.id)
    await register_owner(bot, ani.id, "Ani")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send(ANNOUNCEMENT)
    await staff.press("Lewati")
    # The preview's choices become the status message: that edit waits at "Telegram" ...
    shown = emulator.faults.add("hold", method="editMessageText", chat_id=staff.id)
    sending = asyncio.create_task(staff.press("📤 Kirim sekarang", within=GUARD))
    await asyncio.wait_for(shown.held.wait(), GUARD)
    await bot.tick()  # ... while the announcement is delivered and the broadcast marked done
    assert any(ANNOUNCEMENT in m.text for m in ani.messages)
    shown.release.set()
    await sending
    await bot.tick()
    status = staff.messages[-1]
    assert "Laporan pengumuman" in status.text and "Terkirim: 1" in status.text, status.text
    assert not status.has_button("⏹ Hentikan")

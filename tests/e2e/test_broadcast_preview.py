"""The announcement preview is honest about WhatsApp: owners there read another rendering
(WhatsApp's marks, link buttons as text lines, commands without the slash)."""

from __future__ import annotations

from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from tests.e2e.support import register_owner
from tests.e2e.test_two_channels import RINA, both, wa, whatsapp_owner
from tests.harness import STAFF_ID, RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests


async def compose(both: RunningBot, emulator: BotApiEmulator) -> list[str]:
    """Staff compose an announcement to everyone with a link button; the preview's texts."""
    staff = emulator.user(STAFF_ID, "Bu Ani", language_code="id")
    await staff.command("bantuan")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send("Pasar <murah> & *diskon* besar di Balai Kota")
    await staff.send("Daftar di sini | https://malangkota.go.id/a?x=1&y=2")
    replies = await staff.press("Selesai")
    return [m.text for m in replies]


async def test_the_preview_shows_what_whatsapp_owners_read(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    emulator.user(1001, "Siti", language_code="id")
    emulator.open_chat(1001)
    await register_owner(both, 1001, "Siti")
    wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")

    texts = await compose(both, emulator)

    (intro,) = [t for t in texts if t.startswith("👀 Pratinjau")]
    assert "persis seperti yang diterima peserta di Telegram" in intro
    (on_wa,) = [t for t in texts if t.startswith("📱 Di WhatsApp")]
    assert "tombol link menjadi baris teks" in on_wa
    assert "Daftar di sini: https://malangkota.go.id/a?x=1&y=2" in on_wa
    assert "Pasar <murah> & " in on_wa
    assert "/berhenti" not in on_wa and "*berhenti*" in on_wa


async def test_without_whatsapp_owners_the_preview_shows_telegram_only(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    emulator.user(1001, "Siti", language_code="id")
    emulator.open_chat(1001)
    await register_owner(both, 1001, "Siti")

    texts = await compose(both, emulator)

    assert any(t.startswith("👀 Pratinjau") for t in texts)
    assert not any("WhatsApp" in t for t in texts)

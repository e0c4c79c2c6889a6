"""What a WhatsApp owner outside the 24-hour window receives, and what staff are told they will:
templates whose words fit what waits, one greeting per announcement, and a preview that names
the message or the template each group gets (issue 19: 5 and the polish)."""

from __future__ import annotations

from bot.services.broadcasts import ANNOUNCEMENT, Message
from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from storage.broadcasts import Audience
from tests.e2e import test_two_channels as two_channels
from tests.e2e.support import create_session
from tests.e2e.test_trainer import make_trainer
from tests.e2e.test_two_channels import RINA, whatsapp_owner
from tests.harness import STAFF_ID, FakeClock, RunningBot

wa = two_channels.wa  # the emulator with every template approved
both = two_channels.both  # the bot on Telegram and WhatsApp
ANI = "6281300000001"


async def preview_cost(emulator: BotApiEmulator, text: str) -> str:
    """Compose an announcement to every owner as staff; the preview's WhatsApp line."""
    staff = emulator.user(STAFF_ID, "Bu Rina", language_code="id")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send(text)
    replies = await staff.press("Lewati")
    (cost,) = [line for line in replies[-1].text.split("\n") if line.startswith("💬")]
    return cost


async def test_the_preview_names_what_each_whatsapp_group_gets(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    await whatsapp_owner(both, ANI, "Ani")  # she never wrote: her window is closed
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")  # hers is open

    cost = await preview_cost(emulator, "Pasar murah Sabtu ini")

    assert cost.startswith("💬 2 lewat WhatsApp: 1 menerima pesan ini apa adanya")
    assert "; 1 sudah lebih dari 24 jam tidak menulis ke bot, jadi menerima" in cost
    assert "template pengumuman berisi teks Anda saja, tanpa foto dan tombol link" in cost


async def test_the_preview_speaks_of_no_template_when_every_window_is_open(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")

    cost = await preview_cost(emulator, "Pasar murah Sabtu ini")

    assert cost == (
        "💬 1 lewat WhatsApp: 1 menerima pesan ini apa adanya "
        "(menulis ke bot dalam 24 jam terakhir)."
    )


async def test_an_announcement_template_greets_once_with_the_staffs_own_words(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")
    clock.advance(hours=25)  # her window closed

    text = "Halo Bapak/Ibu, kelas foto produk dibuka minggu depan."
    staff_id = await both.user_id_of(STAFF_ID)
    await both.services.broadcasts.send(staff_id, ANNOUNCEMENT, Audience("all"), Message(text))
    await both.tick()

    last = rina.messages[-1]
    assert last.template == "dodolan_announcement"
    assert text in last.text
    assert last.text.count("Halo") == 1
    wa.assert_no_violations()


async def test_a_trainers_follow_up_outside_the_window_says_material_waits_and_sends_it(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    session = await create_session(both, "Judul produk yang dicari")
    joko_id = await both.user_id_of(joko.id)
    await both.services.sessions.change(session.id, {"trainer_id": joko_id})
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")
    await both.services.booking.book(rina_id, session.id)
    await both.tick()
    clock.advance(minutes=1)  # the confirmation waits out the pause after her "menu" reply
    await both.tick()
    clock.advance(hours=25)  # she has not written since

    await joko.command("kelas")
    await joko.press("📚 Materi ke semua peserta")
    await joko.send("Materi: contoh judul produk dan kata kunci")
    replies = await joko.press("Lewati")
    (cost,) = [line for line in replies[-1].text.split("\n") if line.startswith("💬")]
    assert "pemberitahuan materi lanjutan" in cost and "pengumuman" not in cost
    await joko.press("📤 Kirim sekarang")
    await both.tick()

    notice = rina.messages[-1]
    assert notice.template == "dodolan_followup"
    assert "materi lanjutan dari sesi Dodolan yang Anda ikuti" in notice.text
    assert "booking" not in notice.text
    replies = await rina.tap_template("Lihat materi lanjutan")
    assert any("contoh judul produk dan kata kunci" in m.text for m in replies)
    wa.assert_no_violations()

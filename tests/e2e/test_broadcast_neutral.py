"""A broadcast holds nothing of Telegram (issue 21, point 5b): its file is the stored file
(Telegram's file id is that edge's cache), its buttons are neutral link rows, and the message
where staff watch its progress belongs to the Telegram edge."""

from __future__ import annotations

from dataclasses import fields

from simulator import BotApiEmulator, FakeUser
from simulator.whatsapp import WhatsAppEmulator
from storage.database import Database
from tests.e2e.support import register_owner
from tests.e2e.test_broadcasts import after_intro, announced, owner
from tests.e2e.test_two_channels import RINA, both, wa, whatsapp_owner
from tests.harness import STAFF_ID, RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests

PDF = b"%PDF-1.4 jadwal pasar UMKM"


async def columns(db: Database, table: str) -> set[str]:
    return {row["name"] for row in await db.fetch_all(f"PRAGMA table_info({table})")}


def telegram_named(names: set[str]) -> set[str]:
    """The names that only mean something on Telegram."""
    return {n for n in names if any(w in n for w in ("chat", "message_id", "file_id"))}


async def test_the_status_message_is_updated_through_the_edge_after_a_restart_mid_send(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    people = [await owner(bot, emulator, 2001 + i, f"Pemilik {i}") for i in range(3)]
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send("Pasar murah hari Minggu")
    await staff.press("Lewati")
    status = (await staff.press("📤 Kirim sekarang"))[-1]
    assert "Mengirim pengumuman" in status.text and status.has_button("⏹ Hentikan")
    (broadcast,) = await bot.services.broadcasts.history(await bot.user_id_of(STAFF_ID))

    assert not telegram_named({f.name for f in fields(broadcast)})
    assert not telegram_named(await columns(bot.services.db, "broadcasts"))
    where = await bot.services.broadcasts.status_message(broadcast.id)
    assert where is not None and where.channel == "telegram"

    await bot.restart()  # mid-send: nothing went out yet
    await bot.tick()

    copy = announced("Pasar murah hari Minggu")
    assert all(copy in [m.text for m in person.messages] for person in people)
    report = next(m for m in staff.messages if m.message_id == status.message_id)
    assert "Laporan pengumuman" in report.text and "Terkirim: 3 · gagal: 0" in report.text
    assert report.edited and not report.buttons


async def test_a_document_goes_to_telegram_by_its_cached_id_and_to_whatsapp_as_the_file(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    emulator.open_chat(1001)
    await register_owner(both, 1001, "Siti")
    await whatsapp_owner(both, RINA, "Rina")
    rina = wa.person(RINA, name="Rina")
    await rina.say("halo")  # her 24-hour window is open: the document itself can go
    staff = emulator.user(STAFF_ID, "Bu Ani", language_code="id")
    await staff.command("bantuan")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send_document("jadwal.pdf", PDF, "application/pdf", caption="Jadwal pasar")
    await staff.send("Daftar | https://malangkota.go.id/daftar")
    preview = after_intro(await staff.press("Selesai"))
    assert preview.document is not None and preview.document[2] == PDF
    assert preview.buttons == [["Daftar"]]
    uploads_before = [c for c in emulator.calls if c.method == "sendDocument"]
    await staff.press("📤 Kirim sekarang")
    await both.tick()

    copy = siti.last
    assert copy.document == preview.document and copy.buttons == [["Daftar"]]
    sends = [c for c in emulator.calls if c.method == "sendDocument"][len(uploads_before) :]
    assert sends and all(isinstance(c.params["document"], str) for c in sends)
    assert not any(str(c.params["document"]).startswith("<file") for c in sends)
    on_wa = next(m for m in rina.messages if m.type == "document")
    assert on_wa.data == PDF and on_wa.filename == "jadwal.pdf"
    assert "Jadwal pasar" in on_wa.text
    assert any("Daftar: https://malangkota.go.id/daftar" in m.text for m in rina.messages)
    row = await both.services.db.fetch_one("SELECT buttons FROM broadcasts")
    assert row is not None
    assert row["buttons"] == '[[{"label": "Daftar", "url": "https://malangkota.go.id/daftar"}]]'


async def test_a_forgotten_cached_id_uploads_the_kept_file_and_caches_the_new_id(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send_document("jadwal.pdf", PDF, "application/pdf", caption="Jadwal")
    await staff.press("Lewati")
    async with bot.services.db.transaction() as tx:  # as if the cache were never filled
        await tx.execute("DELETE FROM channel_file_refs")
    await staff.press("📤 Kirim sekarang")
    await bot.tick()

    assert ani.last.document is not None and ani.last.document[2] == PDF
    cached = await bot.services.db.fetch_all("SELECT channel, ref FROM channel_file_refs")
    assert [r["channel"] for r in cached] == ["telegram"]
    assert cached[0]["ref"] == ani.last.raw["document"]["file_id"]


async def test_a_file_from_before_files_were_kept_still_reaches_telegram_by_its_old_id(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send_photo(caption="Poster lama")
    preview = after_intro(await staff.press("Lewati"))
    await staff.press("📤 Kirim sekarang")
    (broadcast,) = await bot.services.broadcasts.history(await bot.user_id_of(STAFF_ID))
    async with bot.services.db.transaction() as tx:  # as migration 0025 leaves such a row
        await tx.execute("UPDATE broadcasts SET media_sha256 = NULL")
        await tx.execute("UPDATE channel_file_refs SET key = ?", (f"broadcast:{broadcast.id}",))
    await bot.tick()

    assert ani.last.photo == preview.photo and ani.last.text == announced("Poster lama")

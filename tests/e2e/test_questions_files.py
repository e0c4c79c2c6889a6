"""Photos, documents and voice notes an owner sends with (or right after) a question reach
whoever answers it: kept by the bot, forwarded with the ticket on Telegram, from either
channel; a reply to the forwarded file answers the ticket."""

from __future__ import annotations

from simulator import BotApiEmulator
from simulator.people import TINY_OGG, TINY_PNG
from simulator.whatsapp import WhatsAppEmulator
from simulator.whatsapp.people import TINY_JPEG
from storage.questions import QuestionRepository
from tests.e2e.support import register_owner
from tests.e2e.test_questions import questions_of, staff_member
from tests.e2e.test_two_channels import (
    RINA,
    both,
    database_bytes,
    settled,
    wa,
    whatsapp_owner,
)
from tests.harness import FakeClock, RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests

PDF = b"%PDF-1.4\n% nota pembelian\n"


async def test_a_photo_and_a_voice_note_after_a_question_reach_the_staff_with_the_ticket(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    await siti.send("Bu, label kemasan saya begini sudah sesuai aturan belum?")
    clock.advance(minutes=2)
    (told,) = await siti.send_photo(TINY_PNG)
    assert "Lampiran Anda sudah kami teruskan" in told.text
    (told,) = await siti.send_voice(TINY_OGG)
    assert "Lampiran Anda sudah kami teruskan" in told.text
    await both.tick()
    ticket, photo, voice = staff.messages[-3:]
    assert "label kemasan" in ticket.text
    assert photo.photo == TINY_PNG and "Foto dari Siti" in photo.text
    assert voice.document is not None and voice.document[2] == TINY_OGG
    assert "Pesan suara dari Siti" in voice.text

    (sent,) = await staff.reply_to(
        photo.message_id, "Sudah sesuai, Bu. Tambahkan tanggal kedaluwarsa."
    )
    assert "terkirim" in sent.text
    await both.tick()
    assert "tanggal kedaluwarsa" in siti.messages[-1].text
    (question,) = await questions_of(both, siti_id)
    files = await QuestionRepository(both.services.db).files_of(question.id)
    assert [f.kind for f in files] == ["photo", "voice"]


async def test_a_file_long_after_any_question_is_not_taken_and_a_wrong_type_is_refused(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    (stray,) = await siti.send_photo(TINY_PNG)
    assert "Lampiran" not in stray.text  # no question: answered as before
    await siti.send("Bu, label kemasan saya begini sudah sesuai aturan belum?")
    (refused,) = await siti.send_document("x.exe", b"MZ\x90\x00", "application/x-msdownload")
    assert "belum bisa kami terima" in refused.text
    clock.advance(hours=1)
    (late,) = await siti.send_photo(TINY_PNG)
    assert "Lampiran" not in late.text


async def test_a_whatsapp_photo_with_a_question_and_a_document_after_it_reach_the_staff(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    staff = await staff_member(both, emulator)
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")
    edge = both.application.bot_data
    from bot.app.telegram import WHATSAPP_KEY

    mark = len(rina.messages)
    await rina.send_image(TINY_JPEG, caption="Bu, foto produk saya begini kurang terang ya?")
    await settled(edge[WHATSAPP_KEY])
    told = " ".join(m.text or m.body or "" for m in rina.messages[mark:])
    assert "petugas Dinas" in told  # the caption was the question: a ticket
    mark = len(rina.messages)
    await rina.send_document("nota.pdf", PDF)
    await settled(edge[WHATSAPP_KEY])
    told = " ".join(m.text or m.body or "" for m in rina.messages[mark:])
    assert "Lampiran Anda sudah kami teruskan" in told
    await both.tick()
    ticket, photo, document = staff.messages[-3:]
    assert "foto produk saya" in ticket.text and "WhatsApp" in ticket.text
    assert photo.photo == TINY_JPEG and "Foto dari Rina" in photo.text
    assert document.document is not None and document.document[0] == "nota.pdf"
    assert document.document[2] == PDF
    (question,) = await questions_of(both, rina_id)
    files = await QuestionRepository(both.services.db).files_of(question.id)
    assert [f.kind for f in files] == ["photo", "document"]
    wa.assert_no_violations()


async def test_erasing_the_owner_deletes_the_files_sent_with_questions(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    await siti.send("Bu, label kemasan saya begini sudah sesuai aturan belum?")
    (kept,) = await siti.send_document("nota-siti.pdf", PDF, "application/pdf")
    assert "Lampiran Anda sudah kami teruskan" in kept.text
    assert await both.services.db.fetch_one("SELECT 1 FROM stored_files") is not None
    await siti.command("hapusdata")
    await siti.press("🗑 Ya, hapus data saya")
    assert await both.services.db.fetch_one("SELECT 1 FROM stored_files") is None
    assert b"nota pembelian" not in database_bytes(both.settings.database)


async def test_the_daily_file_prune_keeps_the_files_sent_with_questions(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    await siti.send("Bu, label kemasan saya begini sudah sesuai aturan belum?")
    await siti.send_photo(TINY_PNG)
    clock.advance(days=3)
    assert await both.services.files.prune() == 0
    (question,) = await questions_of(both, siti_id)
    (file,) = await QuestionRepository(both.services.db).files_of(question.id)
    assert await both.services.files.get(file.sha256) is not None

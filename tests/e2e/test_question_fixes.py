"""Tanya Dinas at its edges: erased owners' tickets, people not signed up, long texts and
names with markup characters (fixes of the review of the question desk)."""

from __future__ import annotations

from bot.core.questions import TicketStatus
from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from storage.questions import QuestionRepository
from tests.e2e.support import create_session, register_owner
from tests.e2e.test_questions import questions_of, says, staff_member
from tests.e2e.test_trainer import make_trainer
from tests.e2e.test_two_channels import RINA, both, wa
from tests.harness import RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests

TELEGRAM_LIMIT = 4096


async def test_an_erased_owners_old_ticket_card_does_not_act_on_a_newer_ticket(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    await siti.send("Bu, izin usaha rumahan perlu surat dari RT juga kah?")
    await both.tick()
    old_card = staff.messages[-1]
    assert "izin usaha rumahan" in old_card.text
    await siti.command("hapusdata")
    await siti.press("🗑 Ya, hapus data saya")
    await both.tick()
    (card,) = [m for m in staff.messages if m.message_id == old_card.message_id]
    assert "dihapus atas permintaan pemilik" in card.text
    assert "izin usaha" not in card.text and "Siti" not in card.text
    assert card.buttons == [] and card.edited

    budi = emulator.user(1002, "Budi", language_code="id")
    await budi.command("bantuan")
    budi_id = await register_owner(both, 1002, "Budi")
    await budi.send("Bu, NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?")
    await both.tick()
    (question,) = await questions_of(both, budi_id)
    staff_id = await both.user_id_of(staff.id)
    rows = await both.services.db.fetch_all(
        "SELECT params FROM outbox WHERE user_id = ? AND kind = 'question_ticket'", (staff_id,)
    )

    await staff.press_on(old_card, "✅ Selesai")  # the card of Siti's erased question
    await staff.reply_to(old_card.message_id, "Tidak perlu, Bu.")

    (question,) = await questions_of(both, budi_id)
    assert question.status == TicketStatus.OPEN
    assert len(await QuestionRepository(both.services.db).thread(question.id)) == 1
    assert len(rows) == 1, "the staff's rows about Siti's question went with her data"
    assert not any("Tidak perlu" in m.text for m in budi.messages)


async def test_someone_not_signed_up_is_pointed_to_sign_up_alike_on_both_channels(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    staff = await staff_member(both, emulator)
    question = "Bu, NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?"
    budi = emulator.user(1002, "Budi", language_code="id")
    await budi.command("bantuan")  # opened the bot, never signed up nor consented
    (on_telegram,) = await budi.send(question)
    rina = wa.person(RINA, name="Rina")
    await says(both, rina, "halo")  # the greeting offers sign-up; she declines it for now
    await says(both, rina, "batal")
    (on_whatsapp,) = await says(both, rina, question)
    await both.tick()

    assert await QuestionRepository(both.services.db).all() == []
    pointer = "Pertanyaan untuk petugas Dinas bisa dikirim setelah Anda mendaftar"
    assert on_telegram.text.startswith(pointer) and "/daftar" in on_telegram.text
    assert (on_whatsapp.text or "").startswith(pointer)  # "/daftar" shown as *daftar* there
    assert not any("NIB" in m.text for m in staff.messages)


async def test_a_trainer_name_is_escaped_once_in_the_answer_and_the_follow_up(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    await staff_member(both, emulator)
    joko = await make_trainer(both, emulator, 7001, "Joko & Sri")
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    session = await create_session(both, "Judul produk yang dicari")
    joko_id = await both.user_id_of(joko.id)
    await both.services.sessions.change(session.id, {"trainer_id": joko_id})
    await both.services.booking.book(siti_id, session.id)

    (told,) = await siti.send("Pak, materi sesi nanti pakai contoh produk kuliner juga kah?")
    assert "Joko & Sri (pelatih sesi Anda)" in told.text
    await both.tick()
    await joko.reply_to(joko.messages[-1].message_id, "Iya Bu, kuliner juga.")
    await both.tick()
    answer = siti.messages[-1]
    assert "Joko & Sri, pelatih Anda" in answer.text
    (more,) = await siti.reply_to(answer.message_id, "Kalau contoh kerajinan bagaimana pak?")
    assert "Joko & Sri (pelatih sesi Anda)" in more.text


async def test_an_over_long_answer_is_refused_with_a_clear_message_to_staff(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    question = "Bu, izin usaha rumahan perlu surat dari RT juga kah? " + "Rinciannya: " * 200
    await siti.send(question[:2500])
    await both.tick()
    card = staff.messages[-1]
    assert len(card.text) <= TELEGRAM_LIMIT
    seen = len(siti.messages)

    (refused,) = await staff.reply_to(card.message_id, "Tidak perlu. " * 400)
    await both.tick()
    assert "terlalu panjang" in refused.text
    assert len(siti.messages) == seen
    (q,) = await questions_of(both, siti_id)
    assert q.status == TicketStatus.OPEN

    (sent,) = await staff.reply_to(card.message_id, "Tidak perlu. " * 250)  # 3,250 characters
    await both.tick()
    assert "terkirim" in sent.text
    answer = siti.messages[-1]
    assert "Tidak perlu. Tidak perlu." in answer.text and len(answer.text) <= TELEGRAM_LIMIT


async def test_a_long_thread_still_reaches_the_staff_with_its_latest_messages(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    await siti.send("Bu, izin usaha rumahan perlu surat dari RT juga kah? " + "Rinci " * 400)
    await both.tick()
    seen = len(staff.messages)
    await siti.send("Bu, kalau surat dari kelurahan juga perlu kah? " + "Lagi " * 400)
    await both.tick()
    (q,) = await questions_of(both, siti_id)
    assert len(await QuestionRepository(both.services.db).thread(q.id)) == 2
    assert len(staff.messages) > seen, "the owner's addition never reached the staff"
    card = staff.messages[-1]
    assert "surat dari kelurahan" in card.text and len(card.text) <= TELEGRAM_LIMIT


async def test_a_ticket_id_is_shown_without_thousands_grouping(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    async with both.services.db.transaction() as tx:  # as if 1,233 questions came before
        await tx.execute("UPDATE id_allocator SET next_id = 1234 WHERE name = 'questions'")
    await siti.send("Bu, izin usaha rumahan perlu surat dari RT juga kah?")
    await both.tick()
    card = staff.messages[-1]
    assert "#1234" in card.text

    (sent,) = await staff.reply_to(card.message_id, "Tidak perlu, Bu.")
    assert "#1234" in sent.text

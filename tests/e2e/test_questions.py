"""Tanya Dinas end to end: owners on Telegram and WhatsApp ask in their own words; the answer
comes from their own booking, from the FAQ, or from a person who replies on Telegram."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.app.telegram import WHATSAPP_KEY
from bot.app.whatsapp import WhatsAppEdge
from bot.core.questions import Line, TicketStatus
from simulator import BotApiEmulator, FakeUser
from simulator.whatsapp import WaMessage, WhatsAppEmulator, WhatsAppPerson
from storage.questions import QuestionRepository
from tests.e2e.support import create_session, register_owner
from tests.e2e.test_trainer import make_trainer
from tests.e2e.test_two_channels import (
    RINA,
    both,
    database_bytes,
    settled,
    wa,
    whatsapp_owner,
)
from tests.harness import STAFF_ID, FakeClock, RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests

FRIDAY_1630 = datetime(2026, 12, 11, 9, 30, tzinfo=UTC)  # Friday 11 December, 16.30 WIB


async def staff_member(bot: RunningBot, emulator: BotApiEmulator) -> FakeUser:
    """The configured staff member, who has opened the bot (so tickets can reach them)."""
    staff = emulator.user(STAFF_ID, "Bu Ani", language_code="id")
    await staff.command("bantuan")
    return staff


async def says(bot: RunningBot, person: WhatsAppPerson, text: str) -> list[WaMessage]:
    """What a WhatsApp owner got for one message, once the bot has handled it completely."""
    edge = bot.application.bot_data[WHATSAPP_KEY]
    assert isinstance(edge, WhatsAppEdge)
    mark = len(person.messages)
    await person.say(text)
    await settled(edge)
    return person.messages[mark:]


async def questions_of(bot: RunningBot, user_id: int) -> list:  # type: ignore[type-arg]
    return await QuestionRepository(bot.services.db).of_user(user_id)


async def test_a_question_about_my_booking_is_answered_with_my_booking_on_both_channels(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")
    session = await create_session(both, "Foto produk pakai HP")
    await both.services.booking.book(siti_id, session.id)
    await both.services.booking.book(rina_id, session.id)

    card, under = await siti.send("sesi saya jam berapa ya bu?")
    assert "Foto produk pakai HP" in card.text and "Malang Creative Center" in card.text
    assert "09.00" in card.text and card.buttons  # the /bookingsaya card, with its buttons
    assert under.buttons == [["👍 Terjawab", "🙋 Tanya petugas"]]

    seen = await says(both, rina, "sy udah booking, tempatnya dmn ya?")
    text = seen[0].text or seen[0].body or ""
    assert "Foto produk pakai HP" in text and "Malang Creative Center" in text
    assert "Tanya petugas" in " ".join(seen[-1].titles)
    assert [q.line for q in await questions_of(both, siti_id)] == [Line.OWN]
    assert [q.line for q in await questions_of(both, rina_id)] == [Line.OWN]
    wa.assert_no_violations()


async def test_an_faq_answer_is_marked_answered_on_both_channels(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")

    (answer,) = await siti.send("Bu, pelatihannya bayar nggak?")
    assert "gratis" in answer.text
    assert answer.buttons == [["👍 Terjawab", "🙋 Tanya petugas"]]
    await siti.press("👍 Terjawab")
    assert siti.toasts[-1].startswith("Terima kasih")

    (shown,) = await says(both, rina, "sertifkatnya dapet gak?")
    assert "sertifikat" in (shown.text or shown.body or "")
    thanks = await rina.tap("👍 Terjawab")
    assert (thanks[-1].text or "").startswith("Terima kasih")

    for user_id, entry in ((siti_id, "biaya"), (rina_id, "sertifikat")):
        (question,) = await questions_of(both, user_id)
        assert (question.line, question.faq_id, question.helpful) == (Line.FAQ, entry, True)
    counts = await both.services.questions.counts()
    assert counts.helpful == 2 and dict(counts.by_line)["faq"] == 2
    wa.assert_no_violations()


async def test_a_person_answers_by_reply_and_it_reaches_a_closed_whatsapp_window_as_template(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    staff = await staff_member(both, emulator)
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")

    (told,) = await says(both, rina, "NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?")
    promise = told.text or told.body or ""
    assert "petugas Dinas" in promise and "Selasa, 1 Desember 2026, 13.00 WIB" in promise
    await both.tick()
    ticket = staff.messages[-1]
    assert "Rina" in ticket.text and "WhatsApp" in ticket.text and "NIB saya" in ticket.text
    assert ticket.buttons == [["✅ Selesai"]]

    clock.advance(hours=25)  # she has not written since: her 24-hour window is closed
    (sent,) = await staff.reply_to(ticket.message_id, "Bu Rina, NIB bisa dicek ulang di OSS.")
    assert "terkirim" in sent.text
    await both.tick()
    template = rina.messages[-1]
    assert template.template == "dodolan_question_answered"
    opened = await rina.tap_template("Baca jawaban")
    answer = opened[-1].text or opened[-1].body or ""
    assert "NIB bisa dicek ulang di OSS" in answer and "petugas Dinas" in answer

    (question,) = await questions_of(both, rina_id)
    staff_id = await both.user_id_of(STAFF_ID)
    assert question.status == TicketStatus.ANSWERED and question.answered_by == staff_id
    counts = await both.services.questions.counts()
    assert (counts.tickets, counts.answered, counts.kept) == (1, 1, 0)  # 25 h: promise broken
    wa.assert_no_violations()  # never a free-form message outside the window


async def test_a_question_at_1630_on_a_friday_is_promised_for_monday_morning(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    await staff_member(both, emulator)
    clock.moment = FRIDAY_1630
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")

    (told,) = await siti.send("Bu, NIB saya dari OSS kok belum terbit juga, kenapa ya?")
    assert "Senin, 14 Desember 2026, 09.00 WIB" in told.text
    (told_wa,) = await says(both, rina, "bisa pinjam modal usaha lewat dinas ga?")
    assert "Senin, 14 Desember 2026, 09.00 WIB" in (told_wa.text or told_wa.body or "")
    wa.assert_no_violations()


async def test_a_revoked_trainers_reply_is_refused_and_reaches_nobody(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    joko_id = await both.user_id_of(joko.id)
    session = await create_session(both, "Judul produk yang dicari")
    await both.services.sessions.change(session.id, {"trainer_id": joko_id})
    await both.services.booking.book(siti_id, session.id)

    (told,) = await siti.send("Pak, materi sesi nanti pakai contoh <b>kue</b> & kuliner kah?")
    assert "Pak Joko (pelatih sesi Anda) dan petugas Dinas" in told.text
    await both.tick()
    ticket = joko.messages[-1]
    assert "Judul produk yang dicari" in ticket.text
    assert "contoh <b>kue</b> & kuliner" in ticket.text  # her text escaped once, shown as typed
    assert ticket.buttons == [["✅ Selesai"], ["↪️ Alihkan ke petugas"]]
    assert "materi sesi" in staff.messages[-1].text

    await both.services.sessions.revoke_trainer(joko_id)
    (refused,) = await joko.reply_to(ticket.message_id, "Iya Bu, pakai contoh kuliner.")
    assert "tidak lagi bisa menjawab" in refused.text
    await joko.press_on(ticket, "✅ Selesai")
    assert "tidak lagi bisa menjawab" in joko.toasts[-1]

    (question,) = await questions_of(both, siti_id)
    assert question.status == TicketStatus.OPEN and question.first_response_at is None
    thread = await QuestionRepository(both.services.db).thread(question.id)
    assert [m.author for m in thread] == ["owner"]
    siti_before = len(siti.messages)
    await both.tick()
    assert not any("pakai contoh kuliner" in (m.text or "") for m in siti.messages[siti_before:])


async def test_many_questions_in_a_short_time_are_asked_to_wait(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    for n in range(5):
        await siti.send(f"pertanyaan nomor {n} tentang modal usaha kecil")
    (wait,) = await siti.send("satu lagi tentang modal usaha kecil")
    assert "Mohon tunggu sebentar" in wait.text
    (question,) = await questions_of(both, siti_id)  # one ticket; the others added to it
    thread = await QuestionRepository(both.services.db).thread(question.id)
    assert len(thread) == 5  # the sixth was not stored, and reached no one


async def test_statistik_counts_the_lines_and_datasaya_and_hapusdata_cover_the_questions(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    await siti.send("Bu, pelatihannya bayar nggak?")
    await siti.press("👍 Terjawab")
    await siti.send("Bu, surat keterangan usaha dari kelurahan itu wajib kah?")
    await both.tick()
    clock.advance(hours=1, minutes=30)
    await staff.reply_to(staff.messages[-1].message_id, "Tidak wajib, Bu Siti.")
    await both.tick()
    assert "Tidak wajib, Bu Siti." in siti.messages[-1].text

    report = "\n".join(m.text for m in await staff.command("statistik"))
    assert "Pertanyaan: 2" in report and "Dijawab FAQ: 1 (👍 1)" in report
    assert "Diteruskan ke petugas: 1, sudah dijawab 1" in report
    assert "median 1,5 jam" in report and "Janji ditepati: 1 dari 1" in report

    _summary, document = await siti.command("datasaya")
    assert document.document is not None
    exported = json.loads(document.document[2])["questions"]
    assert [q["answered_by"] for q in exported] == ["faq", "person"]
    conversation = exported[1]["conversation"]
    assert [(m["from"], m["text"]) for m in conversation] == [
        ("owner", "Bu, surat keterangan usaha dari kelurahan itu wajib kah?"),
        ("staff", "Tidak wajib, Bu Siti."),
    ]

    await siti.command("hapusdata")
    await siti.press("🗑 Ya, hapus data saya")
    assert await questions_of(both, siti_id) == []
    on_disk = database_bytes(both.settings.database)
    assert b"surat keterangan usaha" not in on_disk and b"Tidak wajib, Bu Siti" not in on_disk


async def test_a_ticket_nearing_its_promise_reminds_the_staff_once(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    (told,) = await siti.send("Bu, izin usaha rumahan perlu surat dari RT juga kah?")
    assert "Selasa, 1 Desember 2026, 13.00 WIB" in told.text
    await both.tick()
    seen = len(staff.messages)

    clock.advance(hours=2, minutes=59)  # 11.59: not yet
    await both.tick()
    assert len(staff.messages) == seen
    clock.advance(minutes=1)  # 12.00, an hour before the promise
    await both.tick()
    reminder = staff.messages[-1]
    assert reminder.text.startswith("⏰") and "surat dari RT" in reminder.text
    (sent,) = await staff.reply_to(reminder.message_id, "Tidak perlu, Bu.")  # it is a ticket too
    assert "terkirim" in sent.text


async def test_a_trainer_passes_a_ticket_to_staff_and_can_no_longer_answer_it(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    joko_id = await both.user_id_of(joko.id)
    session = await create_session(both, "Judul produk yang dicari")
    await both.services.sessions.change(session.id, {"trainer_id": joko_id})
    await both.services.booking.book(siti_id, session.id)
    await siti.send("Pak, materi sesi nanti pakai contoh produk kuliner juga kah?")
    await both.tick()
    ticket = joko.messages[-1]
    before = len(staff.messages)

    await joko.press_on(ticket, "↪️ Alihkan ke petugas")
    assert "dialihkan ke petugas Dinas" in joko.toasts[-1]
    await both.tick()
    assert len(staff.messages) == before + 1 and "materi sesi" in staff.messages[-1].text
    (refused,) = await joko.reply_to(ticket.message_id, "Iya Bu.")
    assert "tidak lagi bisa menjawab" in refused.text


async def test_the_owner_replies_to_an_answer_and_the_thread_continues(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    await siti.send("Bu, izin usaha rumahan perlu surat dari RT juga kah?")
    await both.tick()
    await staff.reply_to(staff.messages[-1].message_id, "Tidak perlu, Bu.")
    await both.tick()
    answer = siti.messages[-1]
    assert "Tidak perlu, Bu." in answer.text

    clock.advance(days=1)  # Wednesday 09.00
    (told,) = await siti.reply_to(answer.message_id, "Kalau dari kelurahan perlu tidak?")
    assert "Rabu, 2 Desember 2026, 13.00 WIB" in told.text  # a new promise, from now
    await both.tick()
    card = staff.messages[-1].text
    assert "surat dari RT" in card and "Tidak perlu, Bu." in card and "kelurahan" in card
    (question,) = await questions_of(both, siti_id)
    assert question.status == TicketStatus.OPEN


async def test_staff_mark_a_ticket_done_and_its_reminder_is_not_sent(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    await siti.send("Bu, izin usaha rumahan perlu surat dari RT juga kah?")
    await both.tick()
    ticket = staff.messages[-1]
    await staff.press_on(ticket, "✅ Selesai")
    assert "ditandai selesai" in staff.toasts[-1]
    (question,) = await questions_of(both, siti_id)
    assert question.status == TicketStatus.CLOSED
    seen = len(staff.messages)
    clock.advance(hours=3)  # past the reminder's time
    await both.tick()
    assert len(staff.messages) == seen

"""Tanya Dinas when no staff member can get a ticket yet, and the burst limit counting only
what goes to a person (fixes from the testers' reproductions)."""

from __future__ import annotations

from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from tests.e2e.support import register_owner
from tests.e2e.test_questions import questions_of, says, staff_member
from tests.e2e.test_two_channels import RINA, both, wa, whatsapp_owner
from tests.harness import STAFF_ID, FakeClock, RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests


async def test_a_question_asked_before_any_staff_opened_the_bot_reaches_them_later(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    (told,) = await siti.send("Bu, NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?")
    assert "petugas" in told.text
    await both.tick()

    clock.advance(hours=3)
    staff = emulator.user(STAFF_ID, "Bu Ani", language_code="id")
    await staff.command("start")  # staff open the bot only now
    await both.tick()  # the periodic work hands the waiting ticket to them
    await both.tick()
    cards = [m for m in staff.messages if "NIB saya" in (m.text or "")]
    assert len(cards) == 1
    await both.tick()
    assert len([m for m in staff.messages if "NIB saya" in (m.text or "")]) == 1  # once
    (sent,) = await staff.reply_to(cards[0].message_id, "Sedang kami cek ke OSS, Bu.")
    assert "terkirim" in sent.text
    await both.tick()
    assert any("Sedang kami cek" in m.text for m in siti.messages)


async def test_a_whatsapp_question_waiting_for_staff_is_handed_at_start_up(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    question = "Bu, NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?"
    (told,) = await says(both, rina, question)
    assert "petugas" in (told.text or told.body or "")
    staff = emulator.user(STAFF_ID, "Bu Ani", language_code="id")
    await staff.command("start")  # no periodic work runs before the restart
    await both.restart()
    rows = await both.services.db.fetch_all(
        "SELECT user_id FROM outbox WHERE kind = 'question_ticket'"
    )
    staff_id = await both.user_id_of(STAFF_ID)
    assert [row[0] for row in rows] == [staff_id]  # handed by the start-up
    await both.tick()
    assert len([m for m in staff.messages if "NIB saya" in (m.text or "")]) == 1


async def test_a_waiting_ticket_counts_as_overdue_once_its_promise_passed(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    await siti.send("Bu, NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?")
    clock.advance(days=3)
    await both.tick()
    counts = await both.services.questions.counts()
    assert counts.tickets == 1 and counts.overdue == 1


async def test_faq_answers_do_not_use_up_the_questions_for_staff(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    for text in [
        "bayar nggak?",
        "ada parkir motor?",
        "cara daftar shopee gmn",
        "foto produk pakai hp bisa?",
        "sertifikat dapat?",
        "bayar nggak?",
    ]:
        await siti.send(text)
    (told,) = await siti.send("Bu, NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?")
    assert "Mohon tunggu" not in told.text and "petugas" in told.text
    await both.tick()
    assert any("NIB saya" in (m.text or "") for m in staff.messages)
    tickets = [q for q in await questions_of(both, siti_id) if q.status is not None]
    assert len(tickets) == 1


async def test_too_many_questions_for_staff_are_refused_honestly_and_kept_nowhere(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    for n in range(5):
        await siti.send(f"pertanyaan nomor {n} tentang modal usaha kecil")
    (wait,) = await siti.send("satu lagi tentang modal usaha kecil")
    assert "belum kami catat" in wait.text and "kirim lagi" in wait.text
    assert "sudah kami catat" not in wait.text
    stored = [q.text for q in await questions_of(both, siti_id)]
    assert not any("satu lagi" in text for text in stored)

"""Staff make a good answer an FAQ entry from the ticket ("📚 Jadikan FAQ"): the next owner
asking the same, on either channel, is answered by the FAQ at once."""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.questions import Line
from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from storage.staff_faq import StaffFaqRepository
from tests.e2e.support import register_owner
from tests.e2e.test_questions import questions_of, says, staff_member
from tests.e2e.test_trainer import make_trainer
from tests.e2e.test_two_channels import RINA, both, wa, whatsapp_owner
from tests.harness import RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests

ASKED = "Bu, boleh bawa anak kecil ke kelas?"
ANSWER = "Boleh, Bu. Ada pojok bermain & <b>tikar</b> di belakang."


async def test_staff_make_an_answer_an_faq_entry_and_the_same_question_is_answered_by_it(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    staff = await staff_member(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    (told,) = await siti.send(ASKED)
    assert "petugas Dinas" in told.text
    await both.tick()
    (sent,) = await staff.reply_to(staff.messages[-1].message_id, ANSWER)
    assert "terkirim" in sent.text and sent.buttons == [["📚 Jadikan FAQ"]]

    proposal = (await staff.press_on(sent, "📚 Jadikan FAQ"))[-1]
    assert "Usulan entri FAQ" in proposal.text
    assert ASKED in proposal.text and ANSWER in proposal.text  # escaped once, shown as typed
    assert proposal.buttons == [["✅ Simpan ke FAQ", "✖️ Batal"]]
    saved = (await staff.press_on(proposal, "✅ Simpan ke FAQ"))[-1]
    assert "Tersimpan di FAQ" in saved.text
    await staff.press_on(proposal, "✅ Simpan ke FAQ", expect_reply=None)  # a double tap
    assert "sudah tidak berlaku" in staff.toasts[-1]
    assert len(await StaffFaqRepository(both.services.db).all()) == 1

    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")
    (shown,) = await says(both, rina, ASKED)
    body = shown.text or shown.body or ""
    assert "pojok bermain & <b>tikar</b>" in body and "Terjawab" in " ".join(shown.titles)
    (question,) = await questions_of(both, rina_id)
    assert (question.line, question.faq_id) == (Line.FAQ, "staf-1")
    (again,) = await siti.send(ASKED)  # Siti too, on Telegram: no new ticket
    assert "pojok bermain & <b>tikar</b>" in again.text  # her typed text, escaped once
    assert again.buttons == [["👍 Terjawab", "🙋 Tanya petugas"]]
    wa.assert_no_violations()


async def test_only_staff_make_faq_entries_and_a_forged_tap_changes_nothing(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = await staff_member(both, emulator)
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    await siti.send(ASKED)
    await both.tick()
    (sent,) = await staff.reply_to(staff.messages[-1].message_id, ANSWER)
    proposal = (await staff.press_on(sent, "📚 Jadikan FAQ"))[-1]
    forged = proposal.button_data["✅ Simpan ke FAQ"]
    await joko.press_data(forged, expect_reply=None)  # a trainer, not staff
    assert "Hanya petugas Dinas" in joko.toasts[-1]
    await staff.press_data(ids.pack(ids.STAFF_FAQ, "add", "1", "999"), expect_reply=None)
    assert "sudah tidak berlaku" in staff.toasts[-1]  # no such answer in that ticket
    assert await StaffFaqRepository(both.services.db).all() == []
    (still,) = await siti.send(ASKED)
    assert "Tambahan Anda" in still.text  # no FAQ yet: it continues her ticket

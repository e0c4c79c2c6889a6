"""On WhatsApp a swipe-reply to a person's answer continues that thread, as a reply does on
Telegram: even words the FAQ knows go to the person, with the conversation so far."""

from __future__ import annotations

from bot.app.telegram import WHATSAPP_KEY
from bot.core.questions import TicketStatus
from simulator import BotApiEmulator, FakeUser
from simulator.whatsapp import WaMessage, WhatsAppEmulator, WhatsAppPerson
from storage.questions import QuestionRepository
from tests.e2e.test_questions import questions_of, says, settled, staff_member
from tests.e2e.test_two_channels import RINA, both, wa, whatsapp_owner
from tests.harness import RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests


async def answered_on_whatsapp(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> tuple[FakeUser, WhatsAppPerson, int, WaMessage]:
    """Rina asked on WhatsApp and a staff member answered by replying on Telegram: the staff
    member, Rina, her internal id and the answer as it reached her."""
    staff = await staff_member(both, emulator)
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")
    await says(both, rina, "Bu, izin usaha rumahan perlu surat dari RT juga kah?")
    await both.tick()
    await staff.reply_to(staff.messages[-1].message_id, "Tidak perlu, Bu Rina.")
    await both.tick()
    answer = rina.messages[-1]
    assert "Tidak perlu, Bu Rina." in (answer.text or answer.body or "")
    return staff, rina, rina_id, answer


async def test_a_swipe_reply_to_the_answer_continues_the_thread(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    staff, rina, rina_id, answer = await answered_on_whatsapp(both, emulator, wa)

    edge = both.application.bot_data[WHATSAPP_KEY]
    mark = len(rina.messages)
    await rina.reply_to(answer, "Terus pelatihannya bayar nggak?")  # the FAQ knows these words
    await settled(edge)
    told = " ".join(m.text or m.body or "" for m in rina.messages[mark:])
    assert "Tambahan Anda" in told and "gratis" not in told
    (question,) = await questions_of(both, rina_id)
    assert question.status == TicketStatus.OPEN
    thread = await QuestionRepository(both.services.db).thread(question.id)
    assert [m.text for m in thread][-1] == "Terus pelatihannya bayar nggak?"
    await both.tick()
    card = staff.messages[-1].text
    assert "surat dari RT" in card and "bayar nggak" in card
    wa.assert_no_violations()


async def test_a_swipe_reply_to_the_answer_is_not_taken_by_an_open_question(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    # It went to the open question (here her new business name), as Telegram's reply never
    # did: a reply to an answer continues its thread before any step.
    _, rina, rina_id, answer = await answered_on_whatsapp(both, emulator, wa)
    await both.services.profile.start_edit(rina_id, "business_name")  # "Ubah" → name

    edge = both.application.bot_data[WHATSAPP_KEY]
    mark = len(rina.messages)
    await rina.reply_to(answer, "Kalau izin PIRT bagaimana?")
    await settled(edge)
    told = [m.text or m.body or "" for m in rina.messages[mark:]]
    assert "Tambahan Anda" in " ".join(told)
    assert "nama usaha" in told[-1].lower()  # the open question comes again, newest
    owner = await both.services.profile.get(rina_id)
    assert owner is not None and owner.business_name != "Kalau izin PIRT bagaimana?"
    (question,) = await questions_of(both, rina_id)
    thread = await QuestionRepository(both.services.db).thread(question.id)
    assert [m.text for m in thread][-1] == "Kalau izin PIRT bagaimana?"
    wa.assert_no_violations()

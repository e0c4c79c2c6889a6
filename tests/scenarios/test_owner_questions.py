"""A question to the Dinas, written once, run on every channel: typed in her own words, it is
answered from the FAQ, or handed to staff with a promised time and answered by a person."""

from __future__ import annotations

from bot.core.questions import Line, TicketStatus
from simulator import BotApiEmulator
from storage.questions import QuestionRepository
from tests.harness import STAFF_ID, RunningBot
from tests.scenarios.drivers import Driver, TelegramDriver
from tests.scenarios.journeys import sign_up, time_passes

THANKS = "Terima kasih"


async def test_a_question_is_answered_from_the_faq(siti: Driver, both: RunningBot) -> None:
    await siti.say("/start")
    await sign_up(siti)
    siti.read()

    await siti.say("Bu, pelatihannya bayar nggak?")
    answer = siti.read()
    assert "gratis" in answer
    assert {"👍 Terjawab", "🙋 Tanya petugas"} <= set(answer.last.choices)
    await siti.tap("👍 Terjawab")

    # Declared: Telegram thanks with a toast and takes the buttons off the answer; WhatsApp
    # and the text channel have no toasts and send the thanks as a message.
    if isinstance(siti, TelegramDriver):
        assert siti.person.toasts[-1].startswith(THANKS)
        assert [m.choices for m in siti.read().messages] == [()]  # the answer, redrawn
    else:
        assert siti.read().text.startswith(THANKS)
    (question,) = await QuestionRepository(both.services.db).of_user(await siti.user_id())
    assert (question.line, question.faq_id, question.helpful) == (Line.FAQ, "biaya", True)


async def test_a_question_is_handed_to_staff_with_a_promised_time_and_answered(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    staff = emulator.user(STAFF_ID, "Bu Ani", language_code="id")
    await staff.command("bantuan")  # staff have opened the bot, so tickets reach them
    await siti.say("/start")
    await sign_up(siti)
    siti.read()

    await siti.say("NIB saya dari OSS belum terbit sudah 2 minggu, kenapa ya?")
    promise = siti.read()
    assert "petugas Dinas" in promise and "Selasa, 1 Desember 2026, 13.00 WIB" in promise
    await time_passes(both, siti)
    ticket = staff.messages[-1]
    assert "Siti Aminah" in ticket.text and "NIB saya dari OSS" in ticket.text

    await staff.reply_to(ticket.message_id, "Bu Siti, NIB bisa dicek ulang di OSS.")
    await time_passes(both, siti)

    answer = siti.read()
    assert "NIB bisa dicek ulang di OSS" in answer and "petugas Dinas" in answer
    (question,) = await QuestionRepository(both.services.db).of_user(await siti.user_id())
    staff_id = await both.user_id_of(STAFF_ID)
    assert question.status == TicketStatus.ANSWERED and question.answered_by == staff_id

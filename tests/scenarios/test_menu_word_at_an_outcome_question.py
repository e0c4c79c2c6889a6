"""A menu word typed while the outcome check-in waits for the obstacle: answered, then the
obstacle question asked again, on Telegram and on WhatsApp. (On Telegram the question was
looked up with the chat's id as if it were the person's, which only held while internal ids
were Telegram ids.)"""

from __future__ import annotations

from datetime import timedelta

from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.test_outcomes import channel, checkin_arrives
from tests.scenarios.test_practice_tasks import attended_session

__all__ = ["channel"]  # the outcome journeys' channels: Telegram and WhatsApp

SORRY = "Maaf, ada gangguan"


async def test_a_word_at_the_obstacle_question_is_answered_then_the_question_asked_again(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await attended_session(siti, both, emulator)
    end = both.clock.moment
    await checkin_arrives(siti, both, timedelta(days=30, hours=1), end)
    await siti.tap("✅ Ya")
    await siti.tap("Shopee")
    await siti.tap("✔️ Selesai")
    await siti.tap("1–5")
    question = siti.read().last.text
    assert "menghambat" in question

    await siti.say("/jadwal" if siti.channel is ChannelName.TELEGRAM else "jadwal")

    seen = siti.read()
    assert SORRY not in seen and len(seen.messages) >= 2
    assert seen.last.text == question
    await siti.say("Ongkir ke luar kota mahal")
    assert "sudah kami catat" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT obstacle FROM outcome_checkins WHERE user_id = ? AND month = 1",
        (await siti.user_id(),),
    )
    assert row is not None and row["obstacle"] == "Ongkir ke luar kota mahal"

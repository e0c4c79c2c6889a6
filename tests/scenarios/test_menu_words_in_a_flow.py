"""A menu word typed in the middle of sign-up is answered, then the question comes back.

Issue 21: on WhatsApp a word at the consent step answered the word, then apologised ("Maaf,
ada gangguan") and never asked for consent again; Telegram showed the word's answer and left
the question behind it. On both channels now the word is answered and the step the person is
at is asked again, as the newest message (the better of the two: WhatsApp's).
"""

from __future__ import annotations

import pytest

from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from tests.e2e.support import create_session
from tests.e2e.test_trainer import make_trainer
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.journeys import sign_up
from tests.scenarios.text_channel import TEXT

SORRY = "Maaf, ada gangguan"
UNKNOWN = "belum saya kenal"  # Telegram called /menu an unknown command; now it is a word
AGREE = "✅ Setuju"


# "/word" is a command on Telegram and the same word on WhatsApp (a leading "/" is ignored).
# The help and data words are answered by bot.services.owner_home on every channel.
WORDS = ["/menu", "/jadwal", "/bantuan", "/datasaya"]
# Declared: the profile shows one button per field on Telegram and one numbered choice per
# field on the text channel; WhatsApp (three buttons at most) shows one "change" choice that
# lists the fields.
SKIP_COMMENT = "Lewati"
CHANGE = {
    ChannelName.TELEGRAM: "✏️ Nama usaha",
    ChannelName.WHATSAPP: "✏️ Ubah",
    TEXT: "✏️ Nama usaha",
}


@pytest.mark.parametrize("word", WORDS)
async def test_a_word_at_the_consent_step_is_answered_then_consent_is_asked_again(
    siti: Driver, word: str
) -> None:
    await siti.say("/start")
    assert AGREE in siti.read().choices

    await siti.say(word)

    seen = siti.read()
    assert SORRY not in seen and UNKNOWN not in seen
    assert len(seen.messages) >= 2  # the word's answer, then the question again
    assert AGREE in seen.last.choices and "Tidak setuju" in seen.last.choices
    await siti.tap(AGREE)
    assert "Langkah 1 dari 7" in siti.read()


@pytest.mark.parametrize("word", WORDS[1:3])
async def test_a_word_at_a_sign_up_step_is_answered_then_the_step_is_asked_again(
    siti: Driver, word: str
) -> None:
    await siti.say("/start")
    await siti.tap(AGREE)
    await siti.say("Siti Aminah")
    assert "Langkah 2 dari 7" in siti.read()

    await siti.say(word)

    seen = siti.read()
    assert SORRY not in seen
    assert len(seen.messages) >= 2
    assert "Langkah 2 dari 7" in seen.last.text
    await siti.say("Warung Bu Siti")
    assert "Langkah 3 dari 7" in siti.read()


@pytest.mark.parametrize("word", ["/start", "/daftar"])
async def test_a_word_that_asks_the_question_itself_asks_it_once(siti: Driver, word: str) -> None:
    await siti.say("/start")
    siti.read()

    await siti.say(word)

    seen = siti.read()
    assert [AGREE in m.choices for m in seen.messages].count(True) == 1
    assert AGREE in seen.last.choices


async def test_a_word_while_changing_the_profile_is_answered_then_the_field_asked_again(
    siti: Driver,
) -> None:
    await siti.say("/start")
    await sign_up(siti)
    await siti.say("/profil")
    await siti.tap(CHANGE[siti.channel])
    if siti.channel is ChannelName.WHATSAPP:
        await siti.tap("✏️ Nama usaha")
    question = siti.read().last.text

    await siti.say("/jadwal")

    seen = siti.read()
    assert SORRY not in seen and len(seen.messages) >= 2
    assert seen.last.text == question
    await siti.say("Kedai Siti")
    assert "Kedai Siti" in siti.read()


async def test_a_word_while_a_comment_is_awaited_is_answered_then_the_comment_asked_again(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    session = await create_session(both, "Foto produk pakai HP")
    await both.services.sessions.change(session.id, {"trainer_id": await both.user_id_of(joko.id)})
    await siti.say("/start")
    await sign_up(siti)
    user_id = await siti.user_id()
    view = await both.services.booking.book(user_id, session.id)
    await both.services.attendance.mark(
        await both.user_id_of(joko.id), view.booking.id, attended=True
    )
    await both.services.feedback.rated(user_id, view.booking.id, 5)  # she tapped five stars
    siti.read()

    await siti.say("/jadwal")

    seen = siti.read()
    assert SORRY not in seen and len(seen.messages) >= 2
    assert SKIP_COMMENT in seen.last.choices
    await siti.say("Materinya jelas")
    assert SORRY not in siti.read()
    rating = await both.services.db.fetch_one(
        "SELECT comment FROM feedback WHERE booking_id = ?", (view.booking.id,)
    )
    assert rating is not None and rating["comment"] == "Materinya jelas"

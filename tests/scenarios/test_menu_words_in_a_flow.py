"""A menu word typed in the middle of sign-up is answered, then the question comes back.

Issue 21: on WhatsApp a word at the consent step answered the word, then apologised ("Maaf,
ada gangguan") and never asked for consent again; Telegram showed the word's answer and left
the question behind it. On both channels now the word is answered and the step the person is
at is asked again, as the newest message (the better of the two: WhatsApp's).
"""

from __future__ import annotations

import pytest

from tests.scenarios.drivers import Driver

SORRY = "Maaf, ada gangguan"
AGREE = "✅ Setuju"
# "/word" is a command on Telegram and the same word on WhatsApp (a leading "/" is ignored).
WORDS = ["/menu", "/jadwal", "/bantuan", "/datasaya"]


@pytest.mark.parametrize("word", WORDS)
async def test_a_word_at_the_consent_step_is_answered_then_consent_is_asked_again(
    siti: Driver, word: str
) -> None:
    await siti.say("/start")
    assert AGREE in siti.read().choices

    await siti.say(word)

    seen = siti.read()
    assert SORRY not in seen
    assert len(seen.messages) >= 2  # the word's answer, then the question again
    assert AGREE in seen.last.choices and "Tidak setuju" in seen.last.choices
    await siti.tap(AGREE)
    assert "Langkah 1 dari 7" in siti.read()


@pytest.mark.parametrize("word", ["/jadwal", "/bantuan"])
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

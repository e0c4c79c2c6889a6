"""An owner's taps under the question desk's answers (bot/services/question_taps.py), read and
decided once for every channel, on a real temporary SQLite file with the fake clock."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import StaleAction
from bot.core.notices import ChannelName
from bot.services.question_taps import tapped
from tests.services.conftest import BUDI, SITI, sign_up


async def _choices(services: Services, question: str) -> list[str]:
    """Siti asks; the choice ids under the desk's answer."""
    reply = await services.questions.ask(SITI, question, ChannelName.TELEGRAM, "id")
    assert reply.asked
    return [c.id for n in reply.notices for c in n.choices]


@pytest.fixture
async def owners(services: Services) -> Services:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    return services


async def test_thumbs_up_is_thanked_until_a_person_took_the_question(owners: Services) -> None:
    choices = await _choices(owners, "Bagaimana cara daftar di Shopee?")
    ok, ask = (next(c for c in choices if f":{a}:" in c) for a in ("ok", "ask"))
    assert (await tapped(owners.questions, SITI, ok, "id")).thanked
    await tapped(owners.questions, SITI, ask, "id")
    with pytest.raises(StaleAction):  # a ticket now: the 👍 under the answer is stale
        await tapped(owners.questions, SITI, ok, "id")


async def test_a_pick_answers_and_ask_hands_over(owners: Services) -> None:
    choices = await _choices(owners, "kapan jadwal pelatihan berikutnya dan di mana tempatnya?")
    pick = next(c for c in choices if ":pick:" in c)
    picked = await tapped(owners.questions, SITI, pick, "id")
    assert picked.reply is not None and picked.reply.notices and not picked.thanked
    ask = next(
        c for c in await _choices(owners, "Bagaimana cara daftar di Shopee?") if ":ask:" in c
    )
    handed = await tapped(owners.questions, SITI, ask, "id")
    assert handed.reply is not None and handed.reply.notices


async def test_forged_or_someone_elses_taps_change_nothing(owners: Services) -> None:
    ok = next(c for c in await _choices(owners, "Bagaimana cara daftar di Shopee?") if ":ok:" in c)
    question_id = ok.rsplit(":", 1)[1]
    for forged in (f"qa:v1:yes:{question_id}", f"qa:v1:ok:x{question_id}", "qa:v1:ok", None):
        with pytest.raises(StaleAction):
            await tapped(owners.questions, SITI, forged, "id")
    with pytest.raises(StaleAction):
        await tapped(owners.questions, BUDI, ok, "id")
    assert (await tapped(owners.questions, SITI, ok, "id")).thanked  # still Siti's to answer

"""A launch rush: when replies would queue, newcomers are told their place and served in order."""

from __future__ import annotations

import asyncio

from bot.services.admission import WELCOME
from simulator import BotApiEmulator
from tests.harness import RunningBot

CROWD = 120


async def test_newcomers_in_a_rush_are_told_their_place_then_welcomed_in_order(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator
) -> None:
    crowd = [strict_emulator.user(5000 + i, f"Orang {i}") for i in range(CROWD)]
    for person in crowd:
        person.send_nowait("/bantuan")  # 120 replies owed at once: about 4 s of Telegram's budget
    await asyncio.sleep(0.3)
    wati = strict_emulator.user(6001, "Wati", language_code="id")
    joko = strict_emulator.user(6002, "Joko", language_code="en")

    (note,) = await wati.command("start")
    assert "antrean ke-1" in note.text and "menit" in note.text and not note.buttons
    (note,) = await joko.command("start")
    assert "number 2 in the queue" in note.text
    (again,) = await wati.command("start")  # asking again keeps her place
    assert "antrean ke-1" in again.text
    welcomes = [m for m in await paced_bot.services.outbox.all_messages() if m.kind == WELCOME]
    assert [m.user_id for m in welcomes] == [wati.id, joko.id]

    for _ in range(100):  # welcomes go out, oldest first, once the crowd has been answered
        await paced_bot.tick()
        if joko.messages[-1].has_button("✅ I agree"):
            break
        await asyncio.sleep(0.2)
    assert wati.last.text.startswith("Halo, Wati!") and wati.last.has_button("✅ Setuju")
    assert joko.last.text.startswith("Hello, Joko!") and joko.last.has_button("✅ I agree")
    sent = [c for c in strict_emulator.calls if c.method == "sendMessage" and c.status == 200]
    order = [int(c.params["chat_id"]) for c in sent if int(c.params["chat_id"]) in (6001, 6002)]
    assert order[-2:] == [wati.id, joko.id]  # first come, first welcomed
    await wati.press("✅ Setuju")
    assert "Langkah 1 dari 7" in wati.last.text
    await paced_bot.tick()
    assert len([m for m in wati.messages if m.text.startswith("Halo, Wati!")]) == 1


async def test_when_the_bot_is_not_busy_a_newcomer_gets_one_message(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator
) -> None:
    siti = strict_emulator.user(7001, "Siti", language_code="id")
    replies = await siti.command("start")
    assert len(replies) == 1
    assert replies[0].text.startswith("Halo, Siti!") and "izin penggunaan data" in replies[0].text

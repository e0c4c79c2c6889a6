"""One chat flooding the bot never holds up the others (Telegram's real per-chat limits here).

How fast the others are answered beside a flood is a speed figure: ``benchmarks/flood.py``
prints it (p95 target 1 s). This test checks what decides it, with no clock: the flooder's
backlog is bounded and the rest skipped with one note, the others are answered while the
flooder's replies are held back at "Telegram" (so they cannot be waiting behind them), none of
them is refused, and the flooder is served as usual once its backlog is handled.
"""

from __future__ import annotations

import asyncio

from handlers.telegram.updates import FLOOD_BACKLOG, PerChatUpdateProcessor
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import register_owner
from tests.harness import RunningBot
from tests.waiting import GUARD

FLOOD_MESSAGES = 120
OTHERS = 20


async def _one(person: FakeUser, answered: list[str]) -> None:
    reply = await person.command("bantuan", within=GUARD)
    answered.append(reply[-1].text)


async def _chat(person: FakeUser, answered: list[str]) -> None:
    for _ in range(2):
        await _one(person, answered)


async def test_a_flooding_chat_does_not_hold_up_twenty_others(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator
) -> None:
    flooder = strict_emulator.user(2000, "Penyebar", language_code="id")
    others = [strict_emulator.user(3000 + i, f"Pemilik {i}") for i in range(OTHERS)]
    for person in [flooder, *others]:
        await register_owner(paced_bot, person.id, person.first_name)
    processor = paced_bot.application.update_processor if paced_bot.application else None
    assert isinstance(processor, PerChatUpdateProcessor)
    # Every send to the flooder waits at the emulator until released (kept short: the bot's
    # HTTP client gives up on a call after 5 s).
    held = strict_emulator.faults.add(
        "hold", method="sendMessage", chat_id=flooder.id, times=FLOOD_MESSAGES
    )
    flood = [flooder.send_nowait(f"halo {n}") for n in range(FLOOD_MESSAGES)]
    await paced_bot.until_handled(  # the bot has taken the burst: a backlog, the rest skipped
        lambda: (
            processor.backlog(flooder.id) > 1
            and sum(update_id in paced_bot.handled for update_id in flood)
            >= FLOOD_MESSAGES - FLOOD_BACKLOG - 1
        ),
        "the flood to be taken",
    )

    answered: list[str] = []
    await asyncio.gather(*(_one(person, answered) for person in others))
    # Every other owner was answered while the flooder's backlog could not move at all.
    assert processor.backlog(flooder.id) > 1 and held.held.is_set()
    held.release.set()
    await asyncio.gather(*(_chat(person, answered) for person in others))  # and beside it
    strict_emulator.faults.clear()
    assert len(answered) == 3 * OTHERS and all("/jadwal" in text for text in answered)
    other_ids = {str(p.id) for p in others}
    refused = [
        c
        for c in strict_emulator.calls
        if c.status == 429 and str(c.params.get("chat_id")) in other_ids
    ]
    assert refused == []
    notes = [m for m in flooder.messages if "Pelan-pelan ya" in m.text]
    assert len(notes) == 1
    # The flooder is answered in order and, once the backlog is handled, served as usual.
    await paced_bot.until_handled(lambda: processor.backlog(flooder.id) == 0, "the backlog")
    answered_flood = [m.text for m in flooder.messages if "Pelan-pelan" not in m.text]
    assert 1 <= len(answered_flood) < FLOOD_MESSAGES
    reply = await flooder.command("bantuan", within=GUARD)
    assert "/jadwal" in reply[-1].text

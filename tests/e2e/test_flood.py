"""One chat flooding the bot never slows the others (Telegram's real per-chat limits here)."""

from __future__ import annotations

import asyncio
import statistics
import time

from handlers.telegram.updates import PerChatUpdateProcessor
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import register_owner
from tests.harness import RunningBot

FLOOD_MESSAGES = 120
FLOOD_SECONDS = 10.0
OTHERS = 20


async def _flood(person: FakeUser) -> None:
    for n in range(FLOOD_MESSAGES):
        person.send_nowait(f"halo {n}")
        await asyncio.sleep(FLOOD_SECONDS / FLOOD_MESSAGES)


async def _chat(person: FakeUser, latencies: list[float], offset: float) -> None:
    await asyncio.sleep(offset)
    for _ in range(3):
        started = time.monotonic()
        await person.command("bantuan")
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(2.5)


async def test_a_flooding_chat_does_not_slow_twenty_others(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator
) -> None:
    flooder = strict_emulator.user(2000, "Penyebar", language_code="id")
    others = [strict_emulator.user(3000 + i, f"Pemilik {i}") for i in range(OTHERS)]
    for person in [flooder, *others]:
        await register_owner(paced_bot, person.id, person.first_name)
    latencies: list[float] = []

    await asyncio.gather(
        _flood(flooder),
        *(_chat(person, latencies, 0.5 + i * 0.1) for i, person in enumerate(others)),
    )

    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert len(latencies) == 3 * OTHERS
    assert p95 <= 1.0, f"others' p95 {p95:.2f}s"
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
    answered = [m.text for m in flooder.messages if "Pelan-pelan" not in m.text]
    assert 1 <= len(answered) < FLOOD_MESSAGES
    processor = paced_bot.application.update_processor if paced_bot.application else None
    assert isinstance(processor, PerChatUpdateProcessor)
    for _ in range(300):
        if processor.backlog(flooder.id) == 0:
            break
        await asyncio.sleep(0.1)
    reply = await flooder.command("bantuan")
    assert "/jadwal" in reply[-1].text

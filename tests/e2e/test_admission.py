"""A launch rush: when replies would queue, newcomers are told their place and served in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.services.admission import WELCOME
from handlers.telegram.admission import tell_slipped
from simulator import BotApiEmulator
from tests.harness import FakeClock, RunningBot, settings_for

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


async def test_a_newcomer_whose_promise_slips_is_told_once_what_to_expect_now(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator
) -> None:
    ahmad = strict_emulator.user(6101, "Ahmad", language_code="id")
    await ahmad.command("bantuan")
    await paced_bot.services.admission.queue(ahmad.id, "Ahmad")  # someone already waits
    wati = strict_emulator.user(6102, "Wati", language_code="id")
    joko = strict_emulator.user(6103, "Joko", language_code="en")

    (note,) = await wati.command("start")
    assert "antrean ke-2" in note.text and "paling lama sekitar 2 menit" in note.text
    (note,) = await joko.command("start")
    assert "number 3 in the queue" in note.text and "within about 2 minute" in note.text

    clock = paced_bot.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=90)
    before = len(wati.messages)
    await tell_slipped(paced_bot.application)  # not yet: two minutes have not passed
    assert len(wati.messages) == before
    clock.advance(seconds=31)
    await tell_slipped(paced_bot.application)
    assert "antrean lebih lambat dari perkiraan" in wati.last.text
    assert "antrean ke-2" in wati.last.text and "menit" in wati.last.text
    assert "moving slower than I expected" in joko.last.text and "number 3" in joko.last.text
    told = len(wati.messages)
    for _ in range(5):  # the new promise holds: nobody is told again meanwhile
        clock.advance(seconds=5)
        await tell_slipped(paced_bot.application)
    assert len(wati.messages) == told


async def test_admission_rounds_never_overlap_while_a_welcome_waits_for_its_slot(
    strict_emulator: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(strict_emulator, tmp_path / "db.sqlite3")
    async with RunningBot(settings, FakeClock(), strict_emulator, background_delivery=True) as bot:
        ahmad = strict_emulator.user(6201, "Ahmad", language_code="id")
        await ahmad.command("start")  # welcomed at once: nobody waits
        strict_emulator.latency = 1.2  # every call now takes longer than a round's rest
        await bot.services.admission.queue(ahmad.id, "Ahmad")  # his welcome is queued again

        def welcomed_twice() -> bool:
            return sum(m.text.startswith("Halo, Ahmad!") for m in ahmad.messages) == 2

        assert await wait_until(strict_emulator, welcomed_twice, seconds=15)
        strict_emulator.latency = 0.0
    assert not [r for r in caplog.records if "skipped" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def wait_until(emulator: BotApiEmulator, done: Callable[[], bool], seconds: float) -> bool:
    """Wait on the emulator's activity until ``done()`` holds; False after ``seconds``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        event = emulator.state.activity.event  # taken before looking, so no wake-up is missed
        if done():
            return True
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), left)

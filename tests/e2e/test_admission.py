"""A launch rush: when replies would queue, newcomers are told their place and served in order."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.models import OutboxMessage, OutboxStatus
from bot.services.admission import SLIP, WELCOME
from handlers.telegram.admission import ADMIT_AFTER, ADMIT_UTILISATION, AdmissionLoop, tell_slipped
from handlers.telegram.delivery import SENDER_KEY
from handlers.telegram.ratelimit import UTILISATION_WINDOW, PriorityRateLimiter
from simulator import BotApiEmulator
from tests.harness import FakeClock, RunningBot
from tests.waiting import until

CROWD = 120


async def test_newcomers_in_a_rush_are_told_their_place_then_welcomed_in_order(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator
) -> None:
    crowd = [strict_emulator.user(5000 + i, f"Orang {i}") for i in range(CROWD)]
    for person in crowd:
        person.send_nowait("/bantuan")  # 120 replies owed at once: about 4 s of Telegram's budget
    app = paced_bot.application
    assert app is not None
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    await until(  # checked as each of the crowd's answers reaches "Telegram"
        strict_emulator.dispatcher.changed,
        lambda: limiter.reply_backlog > ADMIT_AFTER or limiter.utilisation > ADMIT_UTILISATION,
        "a busy bot",
    )
    wati = strict_emulator.user(6001, "Wati", language_code="id")
    joko = strict_emulator.user(6002, "Joko", language_code="en")

    (note,) = await wati.command("start")
    assert "antrean ke-1" in note.text and "menit" in note.text and not note.buttons
    (note,) = await joko.command("start")
    assert "number 2 in the queue" in note.text
    (again,) = await wati.command("start")  # asking again keeps her place
    assert "antrean ke-1" in again.text
    welcomes = [m for m in await paced_bot.services.outbox.all_messages() if m.kind == WELCOME]
    ids = [await paced_bot.user_id_of(wati.id), await paced_bot.user_id_of(joko.id)]
    assert [m.user_id for m in welcomes] == ids

    crowd_ids = {p.id for p in crowd}

    def crowd_answered() -> bool:
        chat = strict_emulator.state.chat
        return all(any(a.kind == "send" for a in chat(i).actions) for i in crowd_ids)

    await until(strict_emulator.state.activity, crowd_answered, "the crowd's answers")
    paced_bot.monotonic.skip(UTILISATION_WINDOW)  # the seconds the crowd's answers used pass
    await paced_bot.tick()  # welcomes go out, oldest first, now the crowd has been answered
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
    ahmad_id = await paced_bot.user_id_of(ahmad.id)
    await paced_bot.services.admission.queue(ahmad_id, "Ahmad")  # someone already waits
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


async def test_a_slip_notice_that_fails_is_sent_again_and_recorded_only_once_sent(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator
) -> None:
    ahmad = strict_emulator.user(6111, "Ahmad", language_code="id")
    await ahmad.command("bantuan")
    ahmad_id = await paced_bot.user_id_of(ahmad.id)
    await paced_bot.services.admission.queue(ahmad_id, "Ahmad")  # someone already waits
    wati = strict_emulator.user(6112, "Wati", language_code="id")
    (note,) = await wati.command("start")
    assert "antrean ke-2" in note.text
    wati_id = await paced_bot.user_id_of(wati.id)

    clock = paced_bot.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=121)
    strict_emulator.faults.add("500", method="sendMessage", chat_id=wati.id)
    before = len(wati.messages)
    await tell_slipped(paced_bot.application)  # Telegram fails her notice
    assert len(wati.messages) == before
    slips = [m for m in await paced_bot.services.outbox.all_messages() if m.kind == SLIP]
    assert [(m.user_id, m.status) for m in slips if m.user_id == wati_id] == [
        (wati_id, OutboxStatus.PENDING)
    ]
    welcome = next(
        m
        for m in await paced_bot.services.outbox.all_messages()
        if m.kind == WELCOME and m.user_id == wati_id
    )
    assert "renoticed_at" not in welcome.params  # not told: nothing recorded

    clock.advance(seconds=5)  # the retry falls due, well within a minute
    sender = paced_bot.application.bot_data[SENDER_KEY]
    await sender.drain()
    assert "antrean lebih lambat dari perkiraan" in wati.last.text
    assert "antrean ke-2" in wati.last.text
    welcome = next(
        m
        for m in await paced_bot.services.outbox.all_messages()
        if m.kind == WELCOME and m.user_id == wati_id
    )
    assert welcome.params["renoticed_at"] == clock().isoformat()
    told = len(wati.messages)
    for _ in range(5):  # told once: nobody is told again meanwhile
        clock.advance(seconds=5)
        await tell_slipped(paced_bot.application)
    assert len(wati.messages) == told


async def test_admission_rounds_never_overlap_while_a_welcome_waits_for_its_slot(
    paced_bot: RunningBot, strict_emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    wati = strict_emulator.user(6201, "Wati", language_code="id")
    joko = strict_emulator.user(6202, "Joko", language_code="id")
    siti = strict_emulator.user(6203, "Siti", language_code="id")
    newcomers = [wati, joko, siti]
    for person in newcomers:
        await person.command("start")  # welcomed at once: nobody waits
    for person in newcomers:  # then their welcomes are queued again, in this order
        user_id = await paced_bot.user_id_of(person.id)
        await paced_bot.services.admission.queue(user_id, person.first_name)
    first_queued = len(strict_emulator.calls)
    hold = strict_emulator.faults.add("hold", method="sendMessage", chat_id=wati.id)

    rested = asyncio.Event()  # the loop's rests, driven by the test instead of a timer
    go_on: asyncio.Queue[None] = asyncio.Queue()

    async def rest() -> None:
        rested.set()
        await go_on.get()

    loop = AdmissionLoop(paced_bot.application, rest)
    loop.start()
    try:
        await hold.held.wait()  # round one is sending Wati's welcome, which waits its slot
        assert not rested.is_set()  # so the loop has not rested: no other round has begun
        waiting = [await paced_bot.user_id_of(joko.id), await paced_bot.user_id_of(siti.id)]
        assert [m.user_id for m in await waiting_welcomes(paced_bot)] == waiting
        hold.release.set()
        for _ in range(len(newcomers)):  # let rounds follow one another until all are in
            await rested.wait()
            rested.clear()
            if not await waiting_welcomes(paced_bot):
                break
            go_on.put_nowait(None)
    finally:
        await loop.stop()

    sent = [c for c in strict_emulator.calls[first_queued:] if c.method == "sendMessage"]
    welcomed = [int(c.params["chat_id"]) for c in sent if c.status == 200]
    assert welcomed == [wati.id, joko.id, siti.id]  # each once, first come first welcomed
    for person in newcomers:
        assert person.last.text.startswith(f"Halo, {person.first_name}!")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def waiting_welcomes(bot: RunningBot) -> list[OutboxMessage]:
    """The welcomes still waiting to be sent (not yet claimed by a round)."""
    return [
        m
        for m in await bot.services.outbox.all_messages()
        if m.kind == WELCOME and m.status is OutboxStatus.PENDING
    ]

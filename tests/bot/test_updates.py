"""Updates of different chats run concurrently; one chat's updates run in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from handlers.telegram.updates import PerChatUpdateProcessor
from tests.waiting import GUARD


def update_from(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    user = User(chat_id, "Owner", is_bot=False)
    message = Message(update_id, datetime(2026, 12, 1, tzinfo=UTC), chat, from_user=user, text="x")
    return Update(update_id, message=message)


async def test_same_chat_is_serialised_and_other_chats_overlap() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[str] = []
    running = 0
    peak = 0
    overlapping, release = asyncio.Event(), asyncio.Event()

    async def work(name: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        log.append(f"start {name}")
        if running == 2:
            overlapping.set()
        await release.wait()  # each update is busy until the test lets it finish
        log.append(f"end {name}")
        running -= 1

    everything = asyncio.gather(
        processor.process_update(update_from(1, 1), work("a1")),
        processor.process_update(update_from(1, 2), work("a2")),
        processor.process_update(update_from(2, 3), work("b1")),
    )
    await asyncio.wait_for(overlapping.wait(), GUARD)  # a1 and b1 are both running
    for _ in range(10):
        await asyncio.sleep(0)  # a2, if it were not held back, would start now
    assert log == ["start a1", "start b1"]
    release.set()
    await everything
    assert log.index("end a1") < log.index("start a2")  # chat 1 in order
    assert peak == 2  # chat 2 ran alongside chat 1
    assert processor._locks == {} and processor._users == {}  # nothing left behind


async def test_updates_waiting_for_their_chat_hold_no_slot_other_chats_need() -> None:
    processor = PerChatUpdateProcessor(2)
    release = asyncio.Event()
    done: list[str] = []

    async def slow(name: str) -> None:
        await release.wait()
        done.append(name)

    async def quick(name: str) -> None:
        done.append(name)

    busy_chat = [
        asyncio.create_task(processor.process_update(update_from(1, n), slow(f"a{n}")))
        for n in range(1, 6)
    ]
    await asyncio.sleep(0)  # a1 runs, a2..a5 wait for chat 1's turn
    other = asyncio.create_task(processor.process_update(update_from(2, 9), quick("b")))
    await asyncio.wait_for(other, GUARD)  # chat 2 is not stuck behind chat 1's queue
    assert done == ["b"]
    release.set()
    await asyncio.gather(*busy_chat)
    assert done == ["b", "a1", "a2", "a3", "a4", "a5"]


async def test_a_flooding_chat_is_told_once_and_its_extra_updates_are_skipped() -> None:
    notes: list[bool] = []

    async def on_flood(update: Update, note: bool) -> None:
        notes.append(note)

    processor = PerChatUpdateProcessor(4, on_flood=on_flood)
    release = asyncio.Event()
    handled: list[int] = []

    async def work(n: int) -> None:
        await release.wait()
        handled.append(n)

    tasks = [
        asyncio.create_task(processor.process_update(update_from(1, n), work(n)))
        for n in range(1, 21)
    ]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*tasks)
    assert handled == list(range(1, 10))  # the one running and the eight waiting, in order
    assert notes == [True] + [False] * 10  # eleven skipped, one note

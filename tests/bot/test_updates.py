"""Updates of different chats run concurrently; one chat's updates run in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor


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

    async def work(name: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        log.append(f"start {name}")
        await asyncio.sleep(0.01)
        log.append(f"end {name}")
        running -= 1

    await asyncio.gather(
        processor.process_update(update_from(1, 1), work("a1")),
        processor.process_update(update_from(1, 2), work("a2")),
        processor.process_update(update_from(2, 3), work("b1")),
    )
    assert log.index("end a1") < log.index("start a2")  # chat 1 in order
    assert peak == 2  # chat 2 ran alongside chat 1
    assert processor._locks == {} and processor._users == {}  # nothing left behind

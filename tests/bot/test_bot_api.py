"""DodolanBot: edits that change nothing are not sent; a callback is answered at most once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.telegram.bot_api import DodolanBot
from simulator import BotApiEmulator
from tests.harness import TOKEN


@pytest.fixture
async def api() -> AsyncIterator[tuple[DodolanBot, BotApiEmulator]]:
    emu = BotApiEmulator(token=TOKEN)
    await emu.start()
    bot = DodolanBot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url)
    await bot.initialize()
    try:
        yield bot, emu
    finally:
        await bot.shutdown()
        await emu.stop()
    emu.assert_no_violations()


def _keyboard(label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data="x:v1:1")]])


async def test_a_repeated_clear_is_not_sent_and_a_caption_edit_is_not_mistaken_for_one(
    api: tuple[DodolanBot, BotApiEmulator],
) -> None:
    bot, emu = api
    owner = emu.user(4242, "Siti")
    emu.open_chat(owner.id)
    sent = await bot.send_message(owner.id, "Pilih", reply_markup=_keyboard("A"))
    assert await bot.edit_message_reply_markup(owner.id, sent.message_id, reply_markup=None)
    assert await bot.edit_message_reply_markup(owner.id, sent.message_id, reply_markup=None)
    edits = [c for c in emu.calls if c.method == "editMessageReplyMarkup"]
    assert len(edits) == 1  # the second clear changed nothing and was not sent
    await bot.edit_message_text("Pilih", owner.id, sent.message_id, reply_markup=_keyboard("B"))
    await bot.edit_message_text("Pilih", owner.id, sent.message_id, reply_markup=_keyboard("B"))
    assert len([c for c in emu.calls if c.method == "editMessageText"]) == 1
    assert owner.last.buttons == [["B"]]


async def test_an_edit_of_a_message_that_is_gone_is_done_not_an_error(
    api: tuple[DodolanBot, BotApiEmulator],
) -> None:
    bot, emu = api
    owner = emu.user(4243, "Budi")
    emu.open_chat(owner.id)
    sent = await bot.send_message(owner.id, "Halo", reply_markup=_keyboard("A"))
    await bot.delete_message(owner.id, sent.message_id)
    assert await bot.edit_message_text("Baru", owner.id, sent.message_id) is True
    # Telegram refused the edit (the emulator records that); the bot took it as done
    assert [v.description for v in emu.violations] == ["Bad Request: message to edit not found"]
    emu.dispatcher.violations.clear()

"""A real PTB Bot against the emulator: formatting, keyboards and injected faults."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from simulator import BotApiEmulator
from tests.simulator.conftest import TOKEN, introduce

USER = 1001


async def test_ptb_html_with_keyboard_and_unescaped_text(emu: BotApiEmulator, bot: Bot):
    introduce(emu, USER)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Konfirmasi", callback_data="ok")]])
    msg = await bot.send_message(
        USER, "<b>Pesanan</b> &amp; ongkir", parse_mode="HTML", reply_markup=markup
    )
    assert msg.text == "Pesanan & ongkir" and msg.reply_markup == markup
    assert emu.user(USER).last.button_data == {"Konfirmasi": "ok"}
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "Harga <5000", parse_mode="HTML")
    edited = await bot.edit_message_text("Selesai", chat_id=USER, message_id=msg.message_id)
    assert not isinstance(edited, bool) and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Selesai", chat_id=USER, message_id=msg.message_id)
    assert len(emu.violations) == 2


async def test_ptb_media_and_location(emu: BotApiEmulator, bot: Bot):
    introduce(emu, USER)
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000020000000308060000009d")
    photo = await bot.send_photo(USER, png, caption="Foto")
    assert photo.photo[-1].width == 2 and photo.photo[-1].height == 3
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(USER, b"not an image")
    loc = await bot.send_location(USER, latitude=-7.98, longitude=112.63)
    assert loc.location is not None
    venue = await bot.send_venue(USER, -7.98, 112.63, "Pasar", "Jl. Besar 1")
    assert venue.venue is not None and venue.venue.title == "Pasar"
    assert await bot.send_chat_action(USER, "typing")
    doc = await bot.send_document(USER, b"a,b\n1,2\n", filename="data.csv")
    file = await bot.get_file(doc.document.file_id)  # type: ignore[union-attr]
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
    assert next(m.location for m in emu.user(USER).messages if m.location) == (-7.98, 112.63)
    assert emu.user(USER).messages[0].photo == png


async def test_fault_429_gives_retry_after(
    emu: BotApiEmulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns on int retry_after otherwise
    introduce(emu, USER)
    emu.faults.add("429", method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "x")
    assert info.value.retry_after == dt.timedelta(seconds=7)
    assert (await bot.send_message(USER, "x")).text == "x"
    assert emu.stats.too_many_requests == 1 and not emu.violations


async def test_fault_403_and_5xx(emu: BotApiEmulator, bot: Bot):
    introduce(emu, USER)
    emu.faults.add("403_blocked", chat_id=USER)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(USER, "x")
    emu.faults.add("500", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "x")
    emu.faults.add("502", method="sendMessage", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "x")
    assert (await bot.send_message(USER, "ok")).text == "ok"
    assert not emu.violations


async def test_fault_drop_is_network_error(emu: BotApiEmulator, bot: Bot):
    introduce(emu, USER)
    emu.faults.add("drop", method="sendMessage")
    with pytest.raises(NetworkError) as info:
        await bot.send_message(USER, "x")
    assert not isinstance(info.value, TimedOut)
    assert (await bot.send_message(USER, "after")).text == "after"


async def test_fault_slow_times_out_or_succeeds(emu: BotApiEmulator):
    introduce(emu, USER)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as bot:
        emu.faults.add("slow", method="sendMessage", delay=1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "x")
        emu.faults.add("slow", method="sendMessage", delay=0.05)
        assert (await bot.send_message(USER, "y")).text == "y"
        emu.latency = 0.05
        started = time.monotonic()
        await bot.get_me()
        assert time.monotonic() - started >= 0.05

"""The demo's clock is the one both chats show: moving it moves Telegram's bubbles too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bot.app.demo import Demo
from simulator import BotApiEmulator
from simulator.webchat_clock import MAX_HOURS
from tests.simulator.conftest import TOKEN, call, introduce

T0 = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


async def test_the_demo_stamps_telegram_messages_with_the_demo_clock(tmp_path: Path) -> None:
    demo = Demo(tmp_path, now=lambda: T0)
    demo.now.after_move = None  # nothing is running to catch up
    await demo.now.advance(timedelta(hours=25))
    assert demo.emulator.state.unix_now() == int((T0 + timedelta(hours=25)).timestamp())
    assert demo.whatsapp.clock() == T0 + timedelta(hours=25)


async def test_an_emulator_with_a_clock_dates_what_the_bot_sends_and_people_write() -> None:
    moment = T0
    emu = BotApiEmulator(token=TOKEN, clock=lambda: moment)
    async with emu, httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}/") as client:
        introduce(emu, 1001)
        sent = (await call(client, "sendMessage", chat_id=1001, text="Halo")).json()["result"]
        assert sent["date"] == int(T0.timestamp())
        moment = T0 + timedelta(hours=25)
        edited = await call(
            client, "editMessageText", chat_id=1001, message_id=sent["message_id"], text="Hai"
        )
        assert edited.json()["result"]["edit_date"] == int(moment.timestamp())


def test_the_demo_clock_control_moves_thirty_days_in_one_tap() -> None:
    page = (Path(__file__).resolve().parents[2] / "simulator" / "web" / "index.html").read_text()
    assert 'data-hours="720"' in page and "+30 hari" in page
    assert MAX_HOURS >= 720  # the server takes the move the button asks for

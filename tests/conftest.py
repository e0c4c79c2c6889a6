"""Shared fixtures: the emulator, the running bot, a movable clock, people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator import BotApiEmulator, FakeUser, RateLimits
from tests.harness import STAFF_ID, TOKEN, FakeClock, RunningBot, settings_for

# Telegram lets a private chat receive short bursts of replies; conversation tests step
# faster than a person types, so the per-chat burst is larger here than in delivery tests.
CONVERSATION_LIMITS = RateLimits(chat_burst=30)
# A person reads the bot's answer before the next tap: at least this many seconds, skipped
# on the flood limits' clock (not waited), so a long scripted conversation stays within
# Telegram's one message a second per chat as a person's does, without the test waiting.
PERSON_PAUSE = 3.0


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator(token=TOKEN, rate_limits=CONVERSATION_LIMITS, pause=PERSON_PAUSE)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    emu.assert_no_violations()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "dodolan.sqlite3"


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, database: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    async with RunningBot(settings_for(emulator, database), clock, emulator) as running:
        yield running


@pytest.fixture
def siti(emulator: BotApiEmulator) -> FakeUser:
    """An Indonesian-speaking UKM owner."""
    return emulator.user(1001, "Siti", language_code="id", phone="+6281234567890")


@pytest.fixture
def budi(emulator: BotApiEmulator) -> FakeUser:
    """An owner whose Telegram is in English."""
    return emulator.user(1002, "Budi", language_code="en", phone="+6285712345678")


@pytest.fixture
def staff(emulator: BotApiEmulator) -> FakeUser:
    """A member of the Dinas staff (listed in DODOLAN_STAFF_IDS)."""
    return emulator.user(STAFF_ID, "Bu Rina", language_code="id", phone="+6281300000001")

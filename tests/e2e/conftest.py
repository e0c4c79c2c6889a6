"""Fixtures for e2e tests that need Telegram's real limits rather than the conversation ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator import BotApiEmulator, RateLimits
from tests.harness import TOKEN, FakeClock, RunningBot, settings_for


@pytest.fixture
async def strict_emulator() -> AsyncIterator[BotApiEmulator]:
    """An emulator with Telegram's own limits: 30/s overall, 1/s per chat, burst 3."""
    emu = BotApiEmulator(token=TOKEN, rate_limits=RateLimits())
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    emu.assert_no_violations()


@pytest.fixture
async def paced_bot(strict_emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    settings = settings_for(strict_emulator, tmp_path / "db.sqlite3")
    async with RunningBot(settings, FakeClock(), strict_emulator) as running:
        yield running

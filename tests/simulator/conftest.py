"""Fixtures for emulator tests: a running emulator, an HTTP client and a PTB Bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import Bot

from simulator import BotApiEmulator, RateLimits

TOKEN = "123456:TEST-token"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A started emulator with generous rate limits."""
    emulator = BotApiEmulator(token=TOKEN, rate_limits=RateLimits(enabled=False))
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def client(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client whose base URL is the bot's method root."""
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}/", timeout=10) as c:
        yield c


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the emulator."""
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as b:
        yield b


def introduce(emu: BotApiEmulator, user_id: int, first_name: str = "Siti") -> None:
    """Make a user write to the bot once so the chat exists (update left pending)."""
    emu.user(user_id, first_name=first_name)
    emu.post_raw_update(
        {
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "from": {"id": user_id, "is_bot": False, "first_name": first_name},
                "chat": {"id": user_id, "type": "private", "first_name": first_name},
                "text": "halo",
            }
        }
    )


async def call(client: httpx.AsyncClient, method: str, **params: Any) -> httpx.Response:
    """POST a form-encoded call like PTB does (complex values JSON-encoded)."""
    data = {
        k: (
            json.dumps(v)
            if isinstance(v, (dict, list))
            else str(v).lower()
            if isinstance(v, bool)
            else str(v)
        )
        for k, v in params.items()
    }
    return await client.post(method, data=data)

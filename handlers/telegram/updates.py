"""Process updates of different chats concurrently while keeping each chat's updates in order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

# Updates of one chat waiting behind the one being handled before the chat counts as flooding.
FLOOD_BACKLOG = 8
# A flooding chat is told to slow down at most once in this many seconds.
FLOOD_NOTE_EVERY = 60.0
# PTB's own semaphore is held for the whole of do_process_update, waiting included; it is
# made wide enough never to bind, and the real limit is taken only once a chat's turn comes.
_UNBOUNDED = 1 << 30

FloodHook = Callable[[Update, bool], Awaitable[None]]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Run updates concurrently across chats; one chat's updates run one after another.

    PTB discourages ``concurrent_updates(True)`` with conversations because two messages of
    one user could be handled out of order; a lock per chat keeps that order while a burst of
    many owners is still served in parallel. An update waiting for its chat's turn holds no
    concurrency slot, so a chat with a backlog never takes the slots other chats need.

    A chat that sends faster than it can be answered (:data:`FLOOD_BACKLOG` updates waiting)
    is flooding: further updates are skipped until its backlog is handled, in order, and
    ``on_flood(update, note)`` is called for each skipped one (``note`` at most once per
    :data:`FLOOD_NOTE_EVERY` seconds, to send one friendly note; every time, so that a
    tapped button stops spinning).
    """

    def __init__(self, max_concurrent_updates: int, on_flood: FloodHook | None = None) -> None:
        super().__init__(_UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._noted: dict[int, float] = {}
        self.on_flood = on_flood

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await ``coroutine`` in its chat's turn, holding a slot only while it runs."""
        key = _chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        if self._users.get(key, 0) - 1 >= FLOOD_BACKLOG:
            await self._skip(key, update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key], self._locks[key]

    def backlog(self, chat_id: int) -> int:
        """How many updates of the chat are being handled or waiting for their turn."""
        return self._users.get(chat_id, 0)

    async def _skip(self, key: int, update: object, coroutine: Awaitable[Any]) -> None:
        if asyncio.iscoroutine(coroutine):
            coroutine.close()
        now = time.monotonic()
        if len(self._noted) > 1_000:  # bounded: only chats noted within the last minute
            self._noted = {c: t for c, t in self._noted.items() if now - t < FLOOD_NOTE_EVERY}
        note = now - self._noted.get(key, -FLOOD_NOTE_EVERY) >= FLOOD_NOTE_EVERY
        if note:
            self._noted[key] = now
            logger.warning("a chat is flooding the bot: skipping its new updates for now")
        if self.on_flood is not None and isinstance(update, Update):
            try:
                await self.on_flood(update, note)
            except Exception:
                logger.exception("could not answer a flooding chat")

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None

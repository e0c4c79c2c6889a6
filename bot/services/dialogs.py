"""Multi-step conversations whose state lives in SQLite, so a restart loses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.models import Dialog

# Flows only staff and trainers are in: /batal then points to their commands, not to /daftar
STAFF_FLOWS = frozenset({"newsession", "editsession", "broadcast", "practice_fix"})


class DialogStore(Protocol):
    """What the dialog service needs from storage."""

    async def get(self, user_id: int) -> Dialog | None: ...
    async def save(
        self, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
    ) -> Dialog: ...
    async def clear(self, user_id: int) -> bool: ...


class DialogService:
    """Start, advance and end a user's conversation."""

    def __init__(self, store: DialogStore, now: Clock) -> None:
        self._store = store
        self._now = now

    async def current(self, user_id: int) -> Dialog | None:
        """Return the user's open conversation, if any."""
        return await self._store.get(user_id)

    async def move(
        self, user_id: int, flow: str, step: str, data: dict[str, Any] | None = None
    ) -> Dialog:
        """Put the user at ``step`` of ``flow`` with ``data`` (default: empty)."""
        return await self._store.save(user_id, flow, step, data or {}, self._now())

    async def end(self, user_id: int) -> bool:
        """End the user's conversation; return whether one was open."""
        return await self._store.clear(user_id)

    async def cancel(self, user_id: int) -> str:
        """End the user's conversation (/batal); the catalog key of what to tell them.

        Staff and trainers who stop one of their flows (:data:`STAFF_FLOWS`) hear that
        nothing was kept; an owner, how to go on (/daftar, /profil).
        """
        dialog = await self._store.get(user_id)
        if not await self._store.clear(user_id) or dialog is None:
            return "cancel.nothing"
        return "owner_lists.cancel_staff" if dialog.flow in STAFF_FLOWS else "cancel.done"


def ask_again_after(before: Dialog | None, after: Dialog | None) -> Dialog | None:
    """The dialog whose question to ask again after a word or command interrupted it.

    A word typed in the middle of a conversation ("jadwal", "/bantuan") is answered, and then
    the question of the step the person is still at comes again, so the newest message is the
    one to answer, on every channel (issue 21). None when there was no conversation, or the
    word moved or ended it (its handler then showed what comes next). An edge also skips the
    question when the word's own answer already asked it.
    """
    if before is None or after is None:
        return None
    return after if (after.flow, after.step) == (before.flow, before.step) else None

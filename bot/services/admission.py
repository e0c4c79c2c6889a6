"""Admission in a launch rush: when replies would queue, newcomers wait their turn, told so.

When the bot is too busy to answer everyone within a couple of seconds, a newcomer's first
contact is not answered with a silent wait: they are told their place in the queue, and
their welcome is an outbox row (``signup_welcome``) that the edge sends, oldest first, as
soon as there is room, so the queue survives a restart and nobody is welcomed twice. The
edge decides *when* the bot is busy (it knows the channel's pacing); this service keeps the
queue.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.models import OutboxMessage
from bot.core.notices import Notice, NoticeKind
from bot.core.ports import ProfileReader, UnitOfWork
from bot.core.repositories import WelcomeQueue
from bot.i18n import Catalog
from bot.services import owner_screens, signup
from bot.services.delivery import Builders
from bot.services.dialogs import DialogService

WELCOME = NoticeKind.SIGNUP_WELCOME
# Sent before announcements and daily tips, after offers and replies owed since a crash.
WELCOME_PRIORITY = 3
# The edge admits waiting newcomers as room frees up; should it not (it stopped, say), the
# outbox sender sends a welcome anyway this long after it was queued.
WELCOME_FALLBACK = timedelta(minutes=10)
# About what one owner's sign-up and booking costs the bot, in seconds of its sending
# budget (14 calls at 29.5 per second); used only for the estimate people are shown.
SECONDS_PER_OWNER = 14 / 29.5


def welcome_ref(user_id: int) -> str:
    """The outbox ``ref`` of a newcomer's queued welcome."""
    return f"welcome:{user_id}"


class Admission:
    """The queue of newcomers waiting for their welcome."""

    def __init__(self, db: UnitOfWork, outbox: WelcomeQueue, now: Clock) -> None:
        self._db, self._outbox, self._now = db, outbox, now

    async def waiting(self) -> int:
        """How many newcomers are waiting for their welcome."""
        return await self._outbox.count_pending(WELCOME)

    async def queue(self, user_id: int, name: str) -> int:
        """Queue the newcomer's welcome (once); return their place in the queue (1 = next)."""
        mine = [m for m in await self._outbox.pending_for(user_id) if m.kind == WELCOME]
        if mine:
            return await self._outbox.count_pending(WELCOME, up_to_id=mine[0].id)
        now = self._now()
        params = {"name": name}
        async with self._db.transaction() as tx:
            message_id = await self._outbox.enqueue(
                tx,
                user_id,
                WELCOME,
                params,
                now + WELCOME_FALLBACK,
                now,
                WELCOME_PRIORITY,
                welcome_ref(user_id),
            )
        return await self._outbox.count_pending(WELCOME, up_to_id=message_id)

    async def next_waiting(self) -> int | None:
        """The outbox id of the welcome of whoever has waited longest, if anyone waits."""
        return await self._outbox.first_pending(WELCOME)

    async def withdraw(self, user_id: int) -> None:
        """Drop a queued welcome (the newcomer was served another way)."""
        async with self._db.transaction() as tx:
            await self._outbox.cancel_ref(tx, welcome_ref(user_id))


def minutes_to_wait(place: int) -> int:
    """A whole number of minutes, at least one, for someone at ``place`` in the queue."""
    return max(1, math.ceil(place * SECONDS_PER_OWNER / 60))


def welcome_notice(catalog: Catalog, language: str, name: str) -> Notice:
    """The first message a newcomer gets: the greeting and the consent question, in one."""
    greeting = catalog.text(language, "start.welcome", name=name)
    return owner_screens.with_lead(greeting, owner_screens.consent(catalog, language))


class WelcomeNotices:
    """Builds a queued welcome when it is sent, on whichever channel queued it."""

    def __init__(self, catalog: Catalog, owners: ProfileReader, dialogs: DialogService) -> None:
        self.catalog, self.owners, self.dialogs = catalog, owners, dialogs

    def register(self, builders: Builders) -> None:
        """Add the welcome's builder."""
        builders.add(WELCOME, self.welcome)

    async def welcome(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The welcome, unless the newcomer has moved on (signed up, or past consent)."""
        if await self.owners.get(message.user_id) is not None:
            return None
        dialog = await self.dialogs.current(message.user_id)
        if dialog is None or dialog.flow != signup.FLOW or dialog.step != signup.CONSENT:
            return None
        name = str(message.params.get("name") or "")
        return replace(welcome_notice(self.catalog, lang, name), kind=WELCOME)

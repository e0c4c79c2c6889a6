"""Trainer invites: staff make one-time links; whoever opens one in time becomes a trainer."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.models import Invite, Trainer

INVITE_LIFETIME = timedelta(hours=48)
PAYLOAD_PREFIX = "latih-"


class InviteStore(Protocol):
    """What the invite service needs from storage."""

    async def create(
        self, token: str, created_by: int, now: datetime, expires: datetime
    ) -> None: ...
    async def redeem(
        self, token: str, user_id: int, now: datetime, display_name: str | None = None
    ) -> Invite | None: ...
    async def trainers(self) -> list[Trainer]: ...


class InviteService:
    """Create and redeem trainer invites; list trainers (revoking is a session matter)."""

    def __init__(self, store: InviteStore, now: Clock) -> None:
        self._store = store
        self._now = now

    async def create(self, staff_id: int) -> str:
        """Make a new one-time invite valid for 48 hours; return its token."""
        token = secrets.token_urlsafe(16)  # 22 characters: fits a /start payload
        now = self._now()
        await self._store.create(token, staff_id, now, now + INVITE_LIFETIME)
        return token

    async def redeem(self, user_id: int, token: str, display_name: str | None = None) -> None:
        """Make ``user_id`` a trainer, or raise InvalidInput saying why the link is no good."""
        invite = await self._store.redeem(token, user_id, self._now(), display_name)
        if invite is None:
            raise InvalidInput("staff.invite.unknown")
        if invite.used_by is not None:
            raise InvalidInput("staff.invite.used")
        if invite.expires_at <= self._now():
            raise InvalidInput("staff.invite.expired")

    async def trainers(self) -> list[Trainer]:
        """Everyone who is a trainer now."""
        return await self._store.trainers()

"""Trainer invites: single use, expiry, granting the trainer role."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.errors import InvalidInput
from bot.core.models import Role
from bot.services.invites import InviteService
from storage.database import Database
from storage.invites import InviteRepository
from storage.users import UserRepository
from tests.storage.conftest import T0


class Clock:
    def __init__(self) -> None:
        self.moment = T0

    def __call__(self) -> datetime:
        return self.moment


async def test_an_invite_grants_the_trainer_role_once(db: Database) -> None:
    clock = Clock()
    service = InviteService(InviteRepository(db), clock)
    token = await service.create(staff_id=9001)
    assert len(token) >= 20
    await service.redeem(42, token, "Pak Andi")
    assert await UserRepository(db).roles(42) == {Role.OWNER, Role.TRAINER}
    row = await db.fetch_one("SELECT * FROM user_roles WHERE user_id = 42")
    assert row is not None and (row["source"], row["display_name"]) == ("invite", "Pak Andi")
    with pytest.raises(InvalidInput, match=r"^staff\.invite\.used$"):
        await service.redeem(43, token)
    assert await UserRepository(db).roles(43) == {Role.OWNER}
    assert [t.name for t in await service.trainers()] == ["Pak Andi"]


async def test_expired_and_unknown_invites_grant_nothing(db: Database) -> None:
    clock = Clock()
    service = InviteService(InviteRepository(db), clock)
    token = await service.create(staff_id=9001)
    clock.moment += timedelta(hours=48)
    with pytest.raises(InvalidInput, match=r"^staff\.invite\.expired$"):
        await service.redeem(42, token)
    with pytest.raises(InvalidInput, match=r"^staff\.invite\.unknown$"):
        await service.redeem(42, "nope")
    assert await UserRepository(db).roles(42) == {Role.OWNER}

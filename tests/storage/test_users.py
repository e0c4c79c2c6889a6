"""Users and roles in storage."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import Role
from storage.database import Database
from storage.users import UserRepository
from tests.storage.conftest import T0


async def test_touch_creates_once_then_updates_last_seen(db: Database) -> None:
    repo = UserRepository(db)
    first = await repo.touch(7, "en", T0)
    later = await repo.touch(7, "id", T0 + timedelta(hours=1))
    assert first.language == "en" and later.language == "en"  # language is not overwritten
    assert later.created_at == T0 and later.last_seen_at == T0 + timedelta(hours=1)


async def test_everyone_is_an_owner_and_config_staff_sync(db: Database) -> None:
    repo = UserRepository(db)
    assert await repo.roles(1) == {Role.OWNER}
    assert await repo.sync_config_staff([1, 2], T0) == []
    assert await repo.roles(1) == {Role.OWNER, Role.STAFF}
    assert await repo.sync_config_staff([2], T0) == [1]  # who lost the role
    assert await repo.roles(1) == {Role.OWNER}
    assert await repo.holders(Role.STAFF) == [2]
    assert await repo.sync_config_staff([], T0) == [2]
    assert await repo.holders(Role.STAFF) == []


async def test_config_sync_keeps_invite_granted_roles(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at) "
            "VALUES (5, 'trainer', 'invite', '2026-01-01T00:00:00+00:00')"
        )
    repo = UserRepository(db)
    await repo.sync_config_staff([], T0)
    assert await repo.roles(5) == {Role.OWNER, Role.TRAINER}


async def test_revoking_a_role_inside_a_transaction(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at) "
            "VALUES (42, 'trainer', 'invite', '2026-01-01T00:00:00+00:00')"
        )
    repo = UserRepository(db)
    async with db.transaction() as tx:
        assert await repo.revoke_role(tx, 42, Role.TRAINER) is True
        assert await repo.revoke_role(tx, 42, Role.TRAINER) is False
    assert await repo.roles(42) == {Role.OWNER}

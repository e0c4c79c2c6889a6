"""InviteService: a one-time trainer link, valid 48 hours."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import InvalidInput
from bot.core.models import Role
from tests.harness import FakeClock
from tests.services.conftest import BUDI, SITI, STAFF


async def test_an_invite_makes_a_trainer_once(services: Services) -> None:
    await services.users.seen(SITI, "id")
    await services.users.seen(BUDI, "id")
    token = await services.invites.create(STAFF)
    await services.invites.redeem(SITI, token, "Bu Siti")
    assert Role.TRAINER in await services.users.roles(SITI)
    assert [t.user_id for t in await services.invites.trainers()] == [SITI]
    with pytest.raises(InvalidInput) as used:
        await services.invites.redeem(BUDI, token)
    assert used.value.key == "staff.invite.used"
    assert Role.TRAINER not in await services.users.roles(BUDI)


async def test_an_old_or_unknown_invite_is_refused(services: Services, clock: FakeClock) -> None:
    await services.users.seen(SITI, "id")
    token = await services.invites.create(STAFF)
    clock.advance(hours=48, seconds=1)
    with pytest.raises(InvalidInput) as expired:
        await services.invites.redeem(SITI, token)
    assert expired.value.key == "staff.invite.expired"
    with pytest.raises(InvalidInput) as unknown:
        await services.invites.redeem(SITI, "made-up-token")
    assert unknown.value.key == "staff.invite.unknown"
    assert Role.TRAINER not in await services.users.roles(SITI)

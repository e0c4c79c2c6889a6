"""Access: who may run a session, re-checked against the stored roles on every call."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import NotAllowed, StaleAction
from bot.core.models import Role
from bot.services.access import Access
from storage.sessions import SessionRepository
from storage.users import UserRepository
from tests.services.conftest import SITI, STAFF, TRAINER, make_trainer, new_session, sign_up


def access_of(services: Services) -> Access:
    return Access(UserRepository(services.db), SessionRepository(services.db))


async def test_staff_run_every_session_and_a_trainer_only_their_own(services: Services) -> None:
    await make_trainer(services)
    theirs = await new_session(services, trainer_id=TRAINER)
    other = await new_session(services, "Lain")
    access = access_of(services)
    assert (await access.session(STAFF, other.id)).id == other.id
    assert (await access.session(TRAINER, theirs.id)).id == theirs.id
    with pytest.raises(NotAllowed):
        await access.session(TRAINER, other.id)


async def test_an_owner_learns_nothing_from_a_forged_session_id(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    access = access_of(services)
    with pytest.raises(NotAllowed):  # refused before the session is looked up
        await access.session(SITI, 999_999)
    with pytest.raises(StaleAction):  # staff are told it is gone
        await access.session(STAFF, 999_999)


async def test_a_revoked_trainer_is_refused_at_once(services: Services) -> None:
    await make_trainer(services)
    session = await new_session(services, trainer_id=TRAINER)
    access = access_of(services)
    assert Role.TRAINER in await access.require(TRAINER, Role.TRAINER)
    await services.sessions.revoke_trainer(TRAINER)
    with pytest.raises(NotAllowed):
        await access.require(TRAINER, Role.TRAINER)
    with pytest.raises(NotAllowed):
        await access.session(TRAINER, session.id)

"""UserService: first contact, language, roles re-read on every check, unreachable people."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.models import Role
from bot.core.notices import ChannelName
from tests.harness import FakeClock
from tests.services.conftest import BUDI, SITI, STAFF, TRAINER, make_trainer


async def test_a_newcomer_gets_their_clients_language(services: Services) -> None:
    siti = await services.users.seen(SITI, "id")
    budi = await services.users.seen(BUDI, "en-GB")
    assert (siti.language, budi.language) == ("id", "en")
    await services.users.set_language(SITI, "en")
    assert (await services.users.get(SITI)).language == "en"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput):
        await services.users.set_language(SITI, "jv")


async def test_a_person_arrives_once_per_channel_id_and_is_known_by_it_after(
    services: Services,
) -> None:
    assert await services.users.known(ChannelName.TELEGRAM, "1001") is None
    siti = await services.users.arrived(ChannelName.TELEGRAM, "1001", "en-GB", "Siti")
    assert siti.id != 1001 and siti.language == "en"  # an id of the bot's own
    again = await services.users.arrived(ChannelName.TELEGRAM, "1001", "id")
    assert again.id == siti.id and again.language == "en"  # the same person, her language
    known = await services.users.known(ChannelName.TELEGRAM, "1001")
    assert known is not None and known.id == siti.id
    assert await services.users.known(ChannelName.WHATSAPP, "1001") is None


async def test_roles_come_from_the_store_each_time(services: Services) -> None:
    await services.users.seen(SITI, "id")
    await make_trainer(services)
    await services.users.require(STAFF, Role.STAFF)
    with pytest.raises(NotAllowed):
        await services.users.require(SITI, Role.STAFF)
    assert await services.users.privileged_ids() == {STAFF, TRAINER}
    await services.sessions.revoke_trainer(TRAINER)
    with pytest.raises(NotAllowed):
        await services.users.require(TRAINER, Role.TRAINER)


async def test_staff_removed_from_the_settings_lose_the_role_but_keep_their_menu_reset(
    services: Services,
) -> None:
    await services.users.bootstrap_staff([])
    with pytest.raises(NotAllowed):
        await services.users.require(STAFF, Role.STAFF)
    assert STAFF in await services.users.menu_holders()  # their old menu is replaced


async def test_staff_in_the_settings_are_telegram_ids_registered_under_their_own_ids(
    services: Services,
) -> None:
    await services.users.bootstrap_staff([9001])  # DODOLAN_STAFF_IDS=9001: a Telegram id
    staff = await services.identities.user_for(ChannelName.TELEGRAM, "9001")
    assert staff is not None and staff != 9001  # an allocated internal id, not the chat id
    await services.users.require(staff, Role.STAFF)
    assert await services.identities.external_id(staff, ChannelName.TELEGRAM) == "9001"
    with pytest.raises(NotAllowed):  # the conftest's staff was config-granted, and is no more
        await services.users.require(STAFF, Role.STAFF)
    await services.users.bootstrap_staff([9001])  # a restart keeps the same person
    assert await services.identities.user_for(ChannelName.TELEGRAM, "9001") == staff
    await services.users.require(staff, Role.STAFF)


async def test_who_blocked_the_bot_is_skipped_until_they_write(
    services: Services, clock: FakeClock
) -> None:
    await services.users.seen(SITI, "id")
    await services.users.blocked_the_bot(SITI)
    assert await services.users.is_unreachable(SITI)
    assert await services.users.unreachable() == [SITI]
    clock.advance(days=1)
    await services.users.seen(SITI, "id")
    assert not await services.users.is_unreachable(SITI)


async def test_an_arrival_says_whether_it_is_the_first_contact(services: Services) -> None:
    first, new = await services.users.arrival(ChannelName.WHATSAPP, "6281200001111", "id")
    again, known = await services.users.arrival(ChannelName.WHATSAPP, "6281200001111", "id")
    assert new and not known and first.id == again.id

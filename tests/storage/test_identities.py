"""Identities: each channel's id for a person, and internal ids that are never reused."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.notices import ChannelName
from storage.database import Database
from storage.identities import IdentityRepository
from storage.owners import OwnerRepository
from storage.users import UserRepository

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


async def test_newcomers_get_ids_of_the_bots_own_and_keep_them(db: Database) -> None:
    identities = IdentityRepository(db)
    rina = await identities.register(ChannelName.WHATSAPP, "6281355550000", "id", NOW)
    again = await identities.register(ChannelName.WHATSAPP, "6281355550000", "en", NOW)
    budi = await identities.register(ChannelName.TELEGRAM, "1001", "id", NOW)
    assert rina == again and budi not in (rina, 1001)  # a Telegram id is not an internal id
    assert await identities.channels(rina) == {ChannelName.WHATSAPP: "6281355550000"}
    assert await identities.channels(budi) == {ChannelName.TELEGRAM: "1001"}
    assert await identities.user_for(ChannelName.TELEGRAM, "1001") == budi


async def test_touching_an_internal_id_gives_it_no_channel(db: Database) -> None:
    users, identities = UserRepository(db), IdentityRepository(db)
    await users.touch(1001, "id", NOW)  # a service test's person: known on no channel
    assert await identities.channels(1001) == {}
    assert await identities.user_for(ChannelName.TELEGRAM, "1001") is None


async def test_an_erased_persons_internal_id_is_never_given_to_someone_else(db: Database) -> None:
    identities = IdentityRepository(db)
    rina = await identities.register(ChannelName.WHATSAPP, "6281355550000", "id", NOW)
    assert await OwnerRepository(db).erase(rina, NOW)
    assert await identities.user_for(ChannelName.WHATSAPP, "6281355550000") is None
    budi = await identities.register(ChannelName.WHATSAPP, "6285712345678", "id", NOW)
    assert budi > rina

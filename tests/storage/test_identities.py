"""Identities: each channel's id for a person, and internal ids that are never reused."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.notices import FIRST_NON_TELEGRAM_ID, ChannelName
from storage.database import Database
from storage.identities import IdentityRepository
from storage.owners import OwnerRepository
from storage.users import UserRepository

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


async def test_whatsapp_newcomers_get_ids_above_telegram_and_keep_them(db: Database) -> None:
    identities = IdentityRepository(db)
    rina = await identities.register(ChannelName.WHATSAPP, "6281355550000", "id", NOW)
    again = await identities.register(ChannelName.WHATSAPP, "6281355550000", "en", NOW)
    assert rina == again >= FIRST_NON_TELEGRAM_ID
    assert await identities.channels(rina) == {ChannelName.WHATSAPP: "6281355550000"}


async def test_a_telegram_user_is_their_telegram_id_and_a_whatsapp_user_is_not_on_telegram(
    db: Database,
) -> None:
    users, identities = UserRepository(db), IdentityRepository(db)
    await users.touch(1001, "id", NOW)
    rina = await identities.register(ChannelName.WHATSAPP, "6281355550000", "id", NOW)
    await users.touch(rina, "id", NOW)  # last seen, as the WhatsApp router records it
    assert await identities.channels(1001) == {ChannelName.TELEGRAM: "1001"}
    assert await identities.channels(rina) == {ChannelName.WHATSAPP: "6281355550000"}


async def test_an_erased_persons_internal_id_is_never_given_to_someone_else(db: Database) -> None:
    identities = IdentityRepository(db)
    rina = await identities.register(ChannelName.WHATSAPP, "6281355550000", "id", NOW)
    assert await OwnerRepository(db).erase(rina, NOW)
    assert await identities.user_for(ChannelName.WHATSAPP, "6281355550000") is None
    budi = await identities.register(ChannelName.WHATSAPP, "6285712345678", "id", NOW)
    assert budi > rina

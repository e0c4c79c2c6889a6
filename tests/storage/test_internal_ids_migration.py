"""Migration 0026: internal user ids stop being Telegram ids. Every person, booking and outbox
row of a database from before it is kept, each Telegram user of old gets the identity the code
now looks up, and the allocator hands newcomers ids no one ever had."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.notices import ChannelName
from storage.database import Database
from storage.identities import IdentityRepository
from storage.migrate import available_migrations, migrate
from storage.outbox import OutboxRepository
from storage.users import UserRepository
from tests.storage.conftest import T0

INTERNAL_IDS = next(m.version for m in available_migrations() if m.name == "internal_user_ids")
STAMP = "2026-12-01T01:00:00+00:00"
ENDS = "2026-12-01T03:00:00+00:00"
SITI, BUDI = 5001, 123456789  # Telegram users of old: their internal id was their Telegram id
RINA = 2**53 + 4  # a WhatsApp user of old, with her identity row


async def old_database(path: Path) -> Database:
    db = await Database.open(path)
    try:
        await _old_rows(db)
    except BaseException:
        await db.close()
        raise
    return db


async def _old_rows(db: Database) -> None:
    await migrate(db, T0, target=INTERNAL_IDS - 1)
    async with db.transaction() as tx:
        for user_id in (SITI, BUDI, RINA):
            await tx.execute(
                "INSERT INTO users (id, language, created_at, last_seen_at) "
                "VALUES (?, 'id', ?, ?)",
                (user_id, STAMP, STAMP),
            )
        await tx.execute(
            "INSERT INTO identities (user_id, channel, external_id, created_at) "
            "VALUES (?, 'whatsapp', '6281355550000', ?)",
            (RINA, STAMP),
        )
        await tx.execute(
            "INSERT INTO training_sessions (id, code, title, starts_at, ends_at, capacity, "
            "cutoff_at, venue_name, created_at, updated_at) "
            "VALUES (1, 'abc', 'Foto produk', ?, ?, 10, ?, 'MCC', ?, ?)",
            (STAMP, ENDS, STAMP, STAMP, STAMP),
        )
        for booking, user_id in ((1, SITI), (2, RINA)):
            await tx.execute(
                "INSERT INTO bookings (id, session_id, user_id, status, seq, created_at, "
                "updated_at) VALUES (?, 1, ?, 'confirmed', ?, ?, ?)",
                (booking, user_id, booking, STAMP, STAMP),
            )
        for outbox_id, user_id in ((1, SITI), (2, BUDI), (3, RINA)):
            await tx.execute(
                "INSERT INTO outbox (id, user_id, kind, params, due_at, created_at) "
                "VALUES (?, ?, 'reminder', '{}', ?, ?)",
                (outbox_id, user_id, STAMP, STAMP),
            )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """Here: the old database, upgraded by every migration from 0026 on (not a new one)."""
    db = await old_database(tmp_path / "old.sqlite3")
    try:
        await migrate(db, T0)
        yield db
    finally:
        await db.close()


async def test_every_person_booking_and_outbox_row_is_kept(db: Database) -> None:
    users = await db.fetch_all("SELECT id, not_yet_written FROM users ORDER BY id")
    assert [tuple(r) for r in users] == [(SITI, 0), (BUDI, 0), (RINA, 0)]  # all wrote
    bookings = await db.fetch_all("SELECT id, user_id, status FROM bookings ORDER BY id")
    assert [tuple(r) for r in bookings] == [(1, SITI, "confirmed"), (2, RINA, "confirmed")]
    outbox = await db.fetch_all("SELECT id, user_id, status FROM outbox ORDER BY id")
    assert [tuple(r) for r in outbox] == [
        (1, SITI, "pending"),
        (2, BUDI, "pending"),
        (3, RINA, "pending"),
    ]


async def test_telegram_users_of_old_are_found_through_their_identity(db: Database) -> None:
    identities = IdentityRepository(db)
    assert await identities.user_for(ChannelName.TELEGRAM, str(SITI)) == SITI
    assert await identities.channels(BUDI) == {ChannelName.TELEGRAM: str(BUDI)}
    assert await identities.channels(RINA) == {ChannelName.WHATSAPP: "6281355550000"}
    # each pending row is in the lane of the channel that reaches its person
    telegram = await OutboxRepository(db).claim_due(T0, 10, lane=(ChannelName.TELEGRAM, ()))
    assert sorted(m.user_id for m in telegram) == [SITI, BUDI]
    lane = (ChannelName.WHATSAPP, (ChannelName.TELEGRAM,))
    whatsapp = await OutboxRepository(db).claim_due(T0, 10, lane=lane)
    assert [m.user_id for m in whatsapp] == [RINA]


async def test_staff_named_before_they_wrote_get_nothing_until_they_write(db: Database) -> None:
    users, outbox = UserRepository(db), OutboxRepository(db)
    staff = await IdentityRepository(db).register(
        ChannelName.TELEGRAM, "9001", "id", T0, wrote=False
    )
    async with db.transaction() as tx:
        assert not await outbox.recipient_known(tx, staff)
    assert await users.get(staff) is None  # as if unknown: no chat with them yet
    await users.touch(staff, "en", T0)  # their first message, from an English client
    async with db.transaction() as tx:
        assert await outbox.recipient_known(tx, SITI)
        assert await outbox.recipient_known(tx, staff)
    seen = await users.get(staff)
    assert seen is not None and seen.language == "en"


async def test_a_newcomer_gets_an_id_no_one_ever_had(db: Database) -> None:
    identities = IdentityRepository(db)
    joko = await identities.register(ChannelName.TELEGRAM, "7001", "id", T0)
    assert joko > RINA and joko != 7001
    assert await identities.user_for(ChannelName.TELEGRAM, "7001") == joko
    # a Telegram user of old writes again: the same person, not a new one
    assert await identities.register(ChannelName.TELEGRAM, str(SITI), "id", T0) == SITI

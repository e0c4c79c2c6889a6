"""What the channel remembers, on a real migrated SQLite file: windows, tier, menus, erasure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from handlers.whatsapp.window import Windows
from storage.database import Database
from storage.migrate import migrate
from storage.whatsapp_contacts import WhatsAppContactRepository
from tests.whatsapp.test_channel_support import SITI, T0, Clock

USER = 2**53


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "dodolan.sqlite3")
    await migrate(database, T0)
    yield database
    await database.close()


async def test_a_window_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "dodolan.sqlite3"
    first = await Database.open(path)
    await migrate(first, T0)
    await Windows(WhatsAppContactRepository(first), clock).saw_inbound(SITI, T0)
    await first.close()
    again = await Database.open(path)
    try:
        clock.advance(hours=20)
        assert await Windows(WhatsAppContactRepository(again), clock).is_open(SITI)
    finally:
        await again.close()


async def test_an_older_message_never_moves_the_window_back(db: Database) -> None:
    contacts = WhatsAppContactRepository(db)
    await contacts.saw_inbound(SITI, T0)
    await contacts.saw_inbound(SITI, T0 - timedelta(hours=3))  # a late redelivery
    record = await contacts.window(SITI)
    assert record is not None and record.last_inbound == T0


async def test_a_tier_reservation_counts_once_and_can_be_undone(db: Database) -> None:
    contacts = WhatsAppContactRepository(db)
    first = await contacts.reserve_tier("6281", T0, limit=1)
    assert (first.granted, first.new) == (True, True)
    again = await contacts.reserve_tier("6281", T0 + timedelta(hours=1), limit=1)
    assert (again.granted, again.new) == (True, False)
    full = await contacts.reserve_tier("6282", T0 + timedelta(hours=2), limit=1)
    assert not full.granted and full.at == T0 + timedelta(hours=24)
    await contacts.release_tier("6281", first.at)
    assert await contacts.tier_used(T0) == 0
    assert (await contacts.reserve_tier("6282", T0 + timedelta(hours=2), limit=1)).granted


async def test_erasing_the_person_forgets_window_and_menu_but_keeps_the_count(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO users (id, language, created_at, last_seen_at) VALUES (?, 'id', ?, ?)",
            (USER, T0.isoformat(), T0.isoformat()),
        )
        await tx.execute(
            "INSERT INTO identities (user_id, channel, external_id, created_at) "
            "VALUES (?, 'whatsapp', ?, ?)",
            (USER, SITI, T0.isoformat()),
        )
    contacts = WhatsAppContactRepository(db)
    await contacts.saw_inbound(SITI, T0)
    await contacts.save_menu(SITI, ("bk:v1:1", "bk:v1:2"), T0)
    await contacts.reserve_tier(SITI, T0, limit=10)
    await contacts.remember_sent("wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjA=", SITI, T0)
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM users WHERE id = ?", (USER,))
    assert await contacts.sent_to("wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjA=") is None
    assert await contacts.window(SITI) is None
    assert await contacts.menu(SITI) is None
    assert await contacts.tier_used(T0) == 1
    rows = await db.fetch_all("SELECT external_id FROM whatsapp_tier")
    assert [r["external_id"].startswith("erased:") for r in rows] == [True]


async def test_sent_messages_are_known_by_a_hash_for_a_month(db: Database) -> None:
    contacts = WhatsAppContactRepository(db)
    wamid = "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjA="
    await contacts.remember_sent(wamid, SITI, T0)
    assert await contacts.sent_to(wamid) == SITI
    assert await contacts.sent_to("wamid.never-sent") is None
    rows = await db.fetch_all("SELECT * FROM whatsapp_sent")
    assert wamid not in str([tuple(r) for r in rows])  # the wamid spells out the number
    await contacts.remember_sent("wamid.later", SITI, T0 + timedelta(days=31))
    assert await contacts.sent_to(wamid) is None  # pruned
    assert await contacts.sent_to("wamid.later") == SITI


async def test_a_message_handled_late_opens_its_window_when_meta_stamped_it(db: Database) -> None:
    clock = Clock()
    windows = Windows(WhatsAppContactRepository(db), clock)
    clock.advance(hours=3)  # stored at once, answered three hours later (an outage)
    await windows.saw_inbound(SITI, T0, received=T0)
    clock.advance(hours=20, minutes=50)
    assert await windows.is_open(SITI)
    clock.advance(minutes=10)  # 24 h after she wrote, whenever we handled it
    assert not await windows.is_open(SITI)


async def test_a_clock_a_day_ahead_counts_the_window_from_arrival(db: Database) -> None:
    clock = Clock()
    windows = Windows(WhatsAppContactRepository(db), clock)
    clock.advance(hours=26)  # this server's clock jumped; Meta stamps T0
    await windows.saw_inbound(SITI, T0, received=clock())
    clock.advance(hours=23, minutes=50)
    assert await windows.is_open(SITI)
    clock.advance(minutes=10)
    assert not await windows.is_open(SITI)

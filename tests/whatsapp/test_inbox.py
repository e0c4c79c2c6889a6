"""The inbox repository on a real SQLite file: one transaction per POST, duplicates ignored."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.services.profile import ProfileService
from handlers.whatsapp.events import StatusEvent, split
from handlers.whatsapp.reports import Reports
from handlers.whatsapp.window import TemplateStatus
from storage.database import Database
from storage.migrate import available_migrations, migrate
from storage.whatsapp_inbox import NewInboxEvent, WhatsAppInboxRepository
from tests.whatsapp.conftest import INBOX_MIGRATION, T0
from tests.whatsapp.fixtures import batched, meta, pywa


def event(
    key: str, wa_id: str | None = "6281234567890", bsuid: str | None = None
) -> NewInboxEvent:
    return NewInboxEvent(key, "message", wa_id, {"message": {"id": key}}, bsuid)


async def test_a_batch_is_stored_once(inbox: WhatsAppInboxRepository) -> None:
    body = batched(
        pywa("message", "text"), pywa("message_status", "failed"), meta("button-message")
    )
    assert await inbox.store_batch(split(body), T0) == 3
    assert await inbox.store_batch(split(body), T0 + timedelta(minutes=1)) == 0
    rows = await inbox.all_events()
    assert [(r.kind, r.status, r.attempts) for r in rows] == [
        ("message", "pending", 0),
        ("status", "pending", 0),
        ("message", "pending", 0),
    ]
    assert rows[0].received_at == T0 and rows[0].payload["message"]["text"]["body"] == "Body Text"
    assert (rows[0].wa_id, rows[0].bsuid) == ("972987654321", "US.13491208655302741918")


async def test_only_the_new_events_of_a_redelivery_are_added(
    inbox: WhatsAppInboxRepository,
) -> None:
    assert await inbox.store_batch([event("wamid.A")], T0) == 1
    assert await inbox.store_batch([event("wamid.A"), event("wamid.B")], T0) == 1
    assert [r.event_key for r in await inbox.all_events()] == ["wamid.A", "wamid.B"]


async def test_a_failing_batch_stores_nothing(inbox: WhatsAppInboxRepository) -> None:
    broken = NewInboxEvent(None, "message", None, {})  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        await inbox.store_batch([event("wamid.A"), broken], T0)
    assert await inbox.all_events() == []
    with pytest.raises(ValueError, match="kind"):
        await inbox.store_batch([NewInboxEvent("k", "reaction", None, {})], T0)


async def test_claim_takes_each_event_once(inbox: WhatsAppInboxRepository) -> None:
    await inbox.store_batch([event("wamid.A"), event("wamid.B"), event("wamid.C")], T0)
    first = await inbox.claim(2, T0)
    assert [(e.event_key, e.status, e.attempts) for e in first] == [
        ("wamid.A", "processing", 1),
        ("wamid.B", "processing", 1),
    ]
    second = await inbox.claim(10, T0)
    assert [e.event_key for e in second] == ["wamid.C"]
    assert await inbox.claim(10, T0) == []
    assert await inbox.summary() == {"processing": 3}


async def test_done_and_failed(inbox: WhatsAppInboxRepository) -> None:
    await inbox.store_batch([event("wamid.A"), event("wamid.B"), event("wamid.C")], T0)
    a, b, c = await inbox.claim(10, T0)
    await inbox.done(a.id, T0 + timedelta(seconds=1))
    await inbox.failed(b.id, "RuntimeError", T0 + timedelta(minutes=1))
    await inbox.failed(c.id, "KeyError", None)
    rows = {r.event_key: r for r in await inbox.all_events()}
    assert rows["wamid.A"].status == "done"
    assert rows["wamid.A"].processed_at == T0 + timedelta(seconds=1)
    assert (rows["wamid.B"].status, rows["wamid.B"].attempts) == ("pending", 1)
    assert (rows["wamid.C"].status, rows["wamid.C"].last_error) == ("failed", "KeyError")
    assert await inbox.claim(10, T0) == []  # B waits for its retry time
    assert await inbox.next_due() == T0 + timedelta(minutes=1)
    (again,) = await inbox.claim(10, T0 + timedelta(minutes=1))
    assert (again.event_key, again.attempts) == ("wamid.B", 2)


async def test_requeue_interrupted(inbox: WhatsAppInboxRepository) -> None:
    await inbox.store_batch([event("wamid.A"), event("wamid.B")], T0)
    a, _ = await inbox.claim(10, T0)
    await inbox.done(a.id, T0)
    assert await inbox.requeue_interrupted() == 1
    (back,) = await inbox.claim(10, T0)
    assert back.event_key == "wamid.B" and back.last_error is not None


async def test_erase_user_deletes_every_row_of_that_person(
    inbox: WhatsAppInboxRepository,
) -> None:
    await inbox.store_batch(
        [
            event("wamid.A", "6281111111111"),
            event("wamid.B", "6282222222222"),
            event("wamid.C", None, "US.1"),
            event("wamid.D", "6281111111111", "US.1"),
        ],
        T0,
    )
    assert await inbox.erase_user("6281111111111") == 2
    assert await inbox.erase_user(None, "US.1") == 1
    assert await inbox.erase_user(None, None) == 0
    assert [r.event_key for r in await inbox.all_events()] == ["wamid.B"]


async def test_prune_done_keeps_pending_and_recent(inbox: WhatsAppInboxRepository) -> None:
    await inbox.store_batch([event("wamid.A"), event("wamid.B")], T0)
    (a,) = await inbox.claim(1, T0)
    await inbox.done(a.id, T0)
    await inbox.store_batch([event("wamid.C")], T0 + timedelta(days=8))
    _, c = await inbox.claim(10, T0 + timedelta(days=8))
    await inbox.done(c.id, T0 + timedelta(days=8))
    assert await inbox.prune_done(T0 + timedelta(days=1)) == 1
    assert [r.event_key for r in await inbox.all_events()] == ["wamid.B", "wamid.C"]


def _migrations_complete() -> bool:
    try:
        available_migrations()
    except RuntimeError:  # a number is missing: migrate refuses to run
        return False
    return True


@pytest.mark.skipif(
    not _migrations_complete() or not INBOX_MIGRATION.exists(),
    reason="migration 0011 (reserved for another change) is not in the tree; migrate refuses gaps",
)
async def test_migrate_creates_the_inbox(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "full.sqlite3")
    try:
        applied = await migrate(db, T0)
        assert (12, "whatsapp_inbox") in [(m.version, m.name) for m in applied]
        assert INBOX_MIGRATION.exists()
        await WhatsAppInboxRepository(db).store_batch([event("wamid.A")], T0)
    finally:
        await db.close()


class _Disk:
    """The database's write-ahead log, counting how often it is emptied."""

    def __init__(self) -> None:
        self.forgotten = 0

    async def forget_deleted(self) -> None:
        self.forgotten += 1


class _NobodyKnown:
    """Identities after an erasure: the number belongs to nobody."""

    async def user_for(self, channel: object, external_id: str) -> int | None:
        return None


async def test_a_late_status_of_an_erased_number_keeps_its_new_message(
    inbox: WhatsAppInboxRepository,
) -> None:
    """The first message after hapusdata, arriving with a late status, is still answered."""
    number = "6281111111111"
    status = NewInboxEvent("status.1", "status", number, {"status": {"id": "wamid.OLD"}})
    await inbox.store_batch([status, event("wamid.NEW", number)], T0)
    disk = _Disk()
    # the profile service's trace erasure, with the inbox registered as the assembly does
    profile = ProfileService(None, None, lambda: T0, None, None, None, disk=disk)  # type: ignore[arg-type]
    profile.follow_erasure(inbox)
    reports = Reports(
        None,  # type: ignore[arg-type]
        TemplateStatus(),
        _NobodyKnown(),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        lambda: T0,
        profile,
        sent=None,  # type: ignore[arg-type]
    )
    await reports.handle(StatusEvent("wamid.OLD", "delivered", None, number))
    assert [(r.event_key, r.status) for r in await inbox.all_events()] == [
        ("wamid.NEW", "pending")
    ]
    assert disk.forgotten == 1  # nor left in the write-ahead log

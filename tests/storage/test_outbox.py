"""The outbox in storage: a promised message is claimed by one sender only."""

from __future__ import annotations

from datetime import timedelta

from bot.services.delivery import DueTimes
from storage.database import Database
from storage.outbox import OutboxRepository
from tests.storage.conftest import T0


async def promise(db: Database, outbox: OutboxRepository, due_in: timedelta) -> int:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO users (id, language, created_at, last_seen_at) VALUES (7, 'id', ?, ?)",
            (T0.isoformat(), T0.isoformat()),
        )
        return await outbox.enqueue(tx, 7, "booking_confirmed", {"booking_id": 1}, T0 + due_in, T0)


async def test_a_reply_claimed_at_once_is_not_claimed_again_by_the_workers(db: Database) -> None:
    outbox = OutboxRepository(db)
    message_id = await promise(db, outbox, timedelta(seconds=10))
    claimed = await outbox.claim(message_id)  # not due yet: the handler may still take it
    assert claimed is not None and claimed.id == message_id
    assert await outbox.claim(message_id) is None  # nobody else can
    assert await outbox.claim_due(T0 + timedelta(hours=1), 10) == []
    await outbox.finish(message_id, "sent", T0)
    assert await outbox.claim(message_id) is None
    assert await outbox.requeue_interrupted() == 0  # nothing sent is sent again


async def test_a_reply_the_workers_took_is_not_claimed_by_the_handler(db: Database) -> None:
    outbox = OutboxRepository(db)
    message_id = await promise(db, outbox, timedelta(seconds=10))
    (taken,) = await outbox.claim_due(T0 + timedelta(seconds=10), 10)
    assert taken.id == message_id
    assert await outbox.claim(message_id) is None


async def test_a_claim_cut_off_by_a_crash_is_sent_again_and_counted(db: Database) -> None:
    outbox = OutboxRepository(db)
    message_id = await promise(db, outbox, timedelta(seconds=10))
    assert await outbox.claim(message_id) is not None  # the process dies while sending
    assert await outbox.requeue_interrupted() == 1
    (again,) = await outbox.claim_due(T0 + timedelta(seconds=10), 10)
    assert again.id == message_id and again.interrupted == 1 and again.attempts == 1


async def test_a_queued_message_tells_the_running_delivery_when_it_falls_due(
    db: Database,
) -> None:
    due_times, heard = DueTimes(), []
    outbox = OutboxRepository(db, due_times.notify)
    due_times.listen(heard.append)
    await promise(db, outbox, timedelta(seconds=10))
    assert heard == [T0 + timedelta(seconds=10)]
    due_times.stop_listening(heard.append)
    async with db.transaction() as tx:
        await outbox.enqueue(tx, 7, "booking_confirmed", {"booking_id": 2}, T0, T0)
    assert heard == [T0 + timedelta(seconds=10)]  # a stopped delivery is not woken

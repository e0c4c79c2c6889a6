"""The WhatsApp inbox: every webhook event, stored before Meta is told 200, handled once."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import aiosqlite

from bot.core.erasure import Traces
from bot.core.notices import ChannelName
from bot.core.whatsapp_records import InboxEvent as InboxEvent
from bot.core.whatsapp_records import NewInboxEvent as NewInboxEvent
from storage.database import Database, from_db_time, to_db_time

KINDS = ("message", "status", "template_status", "other")


def _event(row: aiosqlite.Row) -> InboxEvent:
    return InboxEvent(
        id=row["id"],
        event_key=row["event_key"],
        kind=row["kind"],
        wa_id=row["wa_id"],
        bsuid=row["bsuid"],
        payload=json.loads(row["payload"]),
        received_at=from_db_time(row["received_at"]),
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        processed_at=from_db_time(row["processed_at"]) if row["processed_at"] else None,
    )


class WhatsAppInboxRepository:
    """All SQL about the WhatsApp inbox."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def store_batch(self, events: list[NewInboxEvent], now: datetime) -> int:
        """Store the events of one webhook POST in one transaction; return how many were new."""
        for event in events:
            if event.kind not in KINDS:
                raise ValueError(f"unknown inbox event kind {event.kind!r}")
        stamp = to_db_time(now)
        rows = [
            (
                e.event_key,
                e.kind,
                e.wa_id,
                e.bsuid,
                json.dumps(e.payload, ensure_ascii=False),
                stamp,
                stamp,
            )
            for e in events
        ]
        async with self._db.transaction() as tx:
            cursor = await tx.executemany(
                "INSERT INTO whatsapp_inbox "
                "(event_key, kind, wa_id, bsuid, payload, received_at, due_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING",
                rows,
            )
            return cursor.rowcount

    async def claim(self, limit: int, now: datetime) -> list[InboxEvent]:
        """Mark up to ``limit`` due events as processing; return them, this attempt counted."""
        async with self._db.transaction() as tx:
            async with tx.execute(
                "SELECT * FROM whatsapp_inbox WHERE status = 'pending' AND due_at <= ? "
                "ORDER BY id LIMIT ?",
                (to_db_time(now), limit),
            ) as cursor:
                rows = list(await cursor.fetchall())
            await tx.executemany(
                "UPDATE whatsapp_inbox SET status = 'processing', attempts = attempts + 1 "
                "WHERE id = ?",
                [(r["id"],) for r in rows],
            )
        return [replace(_event(r), status="processing", attempts=r["attempts"] + 1) for r in rows]

    async def done(self, event_id: int, now: datetime) -> None:
        """Record that an event was handled."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE whatsapp_inbox SET status = 'done', processed_at = ?, last_error = NULL "
                "WHERE id = ?",
                (to_db_time(now), event_id),
            )

    async def skip(self, event_ids: list[int], reason: str, now: datetime) -> None:
        """Mark events done without handling them (a flood's surplus), saying why."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                "UPDATE whatsapp_inbox SET status = 'done', processed_at = ?, last_error = ? "
                "WHERE id = ?",
                [(to_db_time(now), reason, event_id) for event_id in event_ids],
            )

    async def failed(self, event_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt: queued again at ``retry_at``, or failed for good if None."""
        async with self._db.transaction() as tx:
            if retry_at is None:
                await tx.execute(
                    "UPDATE whatsapp_inbox SET status = 'failed', last_error = ? WHERE id = ?",
                    (error, event_id),
                )
            else:
                await tx.execute(
                    "UPDATE whatsapp_inbox SET status = 'pending', last_error = ?, due_at = ? "
                    "WHERE id = ?",
                    (error, to_db_time(retry_at), event_id),
                )

    async def requeue_interrupted(self) -> int:
        """After a crash, put events left processing back in the queue."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE whatsapp_inbox SET status = 'pending', "
                "last_error = 'interrupted by a stop; handled again' WHERE status = 'processing'"
            )
            return cursor.rowcount

    async def erase_user(
        self,
        wa_id: str | None,
        bsuid: str | None = None,
        *,
        up_to: str | None = None,
        kinds: tuple[str, ...] = KINDS,
    ) -> int:
        """Delete the events of one person, by number and/or business-scoped id (/hapusdata).

        ``up_to`` is the event key of the message that asked for the erasure: what the number
        wrote after it comes from the new person who may reuse the number, and must still be
        answered, so only that event and the ones stored before it are deleted.
        ``kinds`` limits the deletion to those kinds of event: a late status about an erased
        number deletes only statuses, never a message the number's new owner just sent.
        """
        if wa_id is None and bsuid is None:
            return 0
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "DELETE FROM whatsapp_inbox WHERE ((wa_id IS NOT NULL AND wa_id = ?) "
                "OR (bsuid IS NOT NULL AND bsuid = ?)) AND id <= COALESCE("
                "(SELECT id FROM whatsapp_inbox WHERE event_key = ?), "
                "(SELECT MAX(id) FROM whatsapp_inbox)) "
                f"AND kind IN ({', '.join('?' for _ in kinds)})",
                (wa_id, bsuid, up_to, *kinds),
            )
            return cursor.rowcount

    async def erase_traces(self, traces: Traces) -> int:
        """Delete what the inbox keeps under an erased person's WhatsApp ids (a
        :class:`~bot.core.erasure.TraceKeeper`, run by the profile service's erasure)."""
        if traces.channel != ChannelName.WHATSAPP:
            return 0
        kinds = ("status", "other") if traces.reports_only else KINDS
        return await self.erase_user(
            traces.address, traces.scoped_id, up_to=traces.up_to, kinds=kinds
        )

    async def prune_done(self, before: datetime) -> int:
        """Delete handled events received before ``before`` (keep longer than Meta retries)."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "DELETE FROM whatsapp_inbox WHERE status = 'done' AND received_at < ?",
                (to_db_time(before),),
            )
            return cursor.rowcount

    async def next_due(self) -> datetime | None:
        """When the earliest pending event falls due, if any is pending."""
        row = await self._db.fetch_one(
            "SELECT MIN(due_at) FROM whatsapp_inbox WHERE status = 'pending'"
        )
        return from_db_time(row[0]) if row is not None and row[0] is not None else None

    async def summary(self) -> dict[str, int]:
        """How many events are in each status."""
        rows = await self._db.fetch_all(
            "SELECT status, COUNT(*) AS n FROM whatsapp_inbox GROUP BY status"
        )
        return {row["status"]: row["n"] for row in rows}

    async def all_events(self) -> list[InboxEvent]:
        """Every stored event (tests and reports)."""
        rows = await self._db.fetch_all("SELECT * FROM whatsapp_inbox ORDER BY id")
        return [_event(r) for r in rows]

"""Replies owed to people who wrote on WhatsApp: stored with their event's "done", sent in order.

See ``migrations/0016_whatsapp_replies.sql``. :meth:`WhatsAppReplyRepository.answer` is the one
transaction that ends an inbox event: it stores the event's replies and marks it done, so an
event is answered once whatever stops the process.
"""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from bot.core.whatsapp_records import NewReply as NewReply
from bot.core.whatsapp_records import OwedReply as OwedReply
from storage.database import Database, from_db_time, to_db_time

FINISHED = ("sent", "skipped", "failed")


def _reply(row: aiosqlite.Row) -> OwedReply:
    return OwedReply(
        id=row["id"],
        event_id=row["event_id"],
        user_id=row["user_id"],
        external_id=row["external_id"],
        language=row["language"],
        notice=json.loads(row["notice"]),
        outbox_id=row["outbox_id"],
        first=bool(row["first"]),
        created_at=from_db_time(row["created_at"]),
        due_at=from_db_time(row["due_at"]),
        status=row["status"],
        attempts=row["attempts"],
        uncertain=row["uncertain"],
        last_error=row["last_error"],
    )


class WhatsAppReplyRepository:
    """All SQL about owed WhatsApp replies."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def answer(
        self, event_id: int | None, replies: list[NewReply], now: datetime
    ) -> list[int]:
        """Store an event's replies and mark the event done, in one transaction; their ids.

        A reply is dated by its event's arrival, so its lateness counts from the owner's
        message, not from when a delayed processor got round to it."""
        stamp = to_db_time(now)
        ids: list[int] = []
        async with self._db.transaction() as tx:
            for index, reply in enumerate(replies):
                cursor = await tx.execute(
                    "INSERT INTO whatsapp_replies (event_id, user_id, external_id, language, "
                    "notice, outbox_id, first, created_at, due_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, "
                    "COALESCE((SELECT received_at FROM whatsapp_inbox WHERE id = ?), ?), ?)",
                    (
                        event_id,
                        reply.user_id,
                        reply.external_id,
                        reply.language,
                        json.dumps(reply.notice, ensure_ascii=False),
                        reply.outbox_id,
                        int(index == 0 and event_id is not None),
                        event_id,
                        stamp,
                        stamp,
                    ),
                )
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
            if event_id is not None:
                await tx.execute(
                    "UPDATE whatsapp_inbox SET status = 'done', processed_at = ?, "
                    "last_error = NULL WHERE id = ?",
                    (stamp, event_id),
                )
        return ids

    async def owed(self, external_id: str) -> list[OwedReply]:
        """The person's replies not yet sent, oldest first; a note of the bot's own (no event:
        "pelan-pelan ya") before them, as it speaks of what is still to come."""
        rows = await self._db.fetch_all(
            "SELECT * FROM whatsapp_replies WHERE external_id = ? AND status = 'pending' "
            "ORDER BY event_id IS NOT NULL, id",
            (external_id,),
        )
        return [_reply(r) for r in rows]

    async def claim(self, reply_id: int) -> bool:
        """Mark a pending reply as being sent (this attempt counted); False if it is not."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE whatsapp_replies SET status = 'sending', attempts = attempts + 1 "
                "WHERE id = ? AND status = 'pending'",
                (reply_id,),
            )
            return cursor.rowcount == 1

    async def finish(
        self,
        reply_id: int,
        status: str,
        now: datetime,
        error: str | None = None,
        *,
        then_claim: int | None = None,
    ) -> bool:
        """Record a reply's outcome and, in the same transaction, claim the person's next one
        (``then_claim``); whether that claim succeeded. The text is not kept, nor the row if
        its person was erased meanwhile (the last message before an erasure keeps no number).
        """
        if status not in FINISHED:
            raise ValueError(f"not a final reply status: {status!r}")
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE whatsapp_replies SET status = ?, notice = '{}', last_error = ?, "
                "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                (status, error, status, to_db_time(now), reply_id),
            )
            await tx.execute(
                "DELETE FROM whatsapp_replies WHERE id = ? AND NOT EXISTS (SELECT 1 FROM "
                "identities WHERE channel = 'whatsapp' "
                "AND external_id = whatsapp_replies.external_id)",
                (reply_id,),
            )
            if then_claim is None:
                return False
            cursor = await tx.execute(
                "UPDATE whatsapp_replies SET status = 'sending', attempts = attempts + 1 "
                "WHERE id = ? AND status = 'pending'",
                (then_claim,),
            )
            return cursor.rowcount == 1

    async def retry_later(
        self, reply_id: int, due_at: datetime, error: str, *, uncertain: bool = False
    ) -> None:
        """Put a reply back in its person's queue (``uncertain``: it may have arrived)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE whatsapp_replies SET status = 'pending', due_at = ?, last_error = ?, "
                "uncertain = uncertain + ? WHERE id = ?",
                (to_db_time(due_at), error, int(uncertain), reply_id),
            )

    async def answered_since(self, reply: OwedReply) -> bool:
        """Whether the person was sent an answer to a message newer than ``reply``'s (its own
        event's other parts do not count); for a note of the bot's own, any newer reply."""
        if reply.event_id is None:
            condition, value = "id > ?", reply.id
        else:
            condition, value = "event_id > ?", reply.event_id
        row = await self._db.fetch_one(
            "SELECT 1 FROM whatsapp_replies WHERE external_id = ? AND status = 'sent' "
            f"AND {condition} LIMIT 1",
            (reply.external_id, value),
        )
        return row is not None

    async def requeue_interrupted(self) -> int:
        """After a crash, put replies left sending back, each counted as uncertain."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE whatsapp_replies SET status = 'pending', uncertain = uncertain + 1, "
                "last_error = 'in flight at a stop; it may have arrived' "
                "WHERE status = 'sending'"
            )
            return cursor.rowcount

    async def due_people(self, now: datetime) -> list[str]:
        """The people with a reply due now, the longest waiting first."""
        rows = await self._db.fetch_all(
            "SELECT external_id, MIN(id) AS oldest FROM whatsapp_replies "
            "WHERE status = 'pending' AND due_at <= ? GROUP BY external_id ORDER BY oldest",
            (to_db_time(now),),
        )
        return [r["external_id"] for r in rows]

    async def next_due(self) -> datetime | None:
        """When the earliest owed reply falls due, if any is owed."""
        row = await self._db.fetch_one(
            "SELECT MIN(due_at) FROM whatsapp_replies WHERE status = 'pending'"
        )
        return from_db_time(row[0]) if row is not None and row[0] is not None else None

    async def prune(self, before: datetime) -> int:
        """Delete finished replies created before ``before`` (keeping uncertain ones' count
        is the report's business while they are recent)."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "DELETE FROM whatsapp_replies WHERE status IN ('sent', 'skipped', 'failed') "
                "AND created_at < ?",
                (to_db_time(before),),
            )
            return cursor.rowcount

    async def summary(self) -> dict[str, int]:
        """How many replies are in each status, plus ``uncertain``: those that may have gone
        twice."""
        rows = await self._db.fetch_all(
            "SELECT status, COUNT(*) AS n FROM whatsapp_replies GROUP BY status"
        )
        counts = {row["status"]: row["n"] for row in rows}
        row = await self._db.fetch_one("SELECT COUNT(*) FROM whatsapp_replies WHERE uncertain > 0")
        counts["uncertain"] = int(row[0]) if row else 0
        return counts

    async def waiting(self, limit: int = 10) -> list[OwedReply]:
        """The longest-waiting owed replies, with why they wait (``last_error``)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM whatsapp_replies WHERE status IN ('pending', 'sending') "
            "ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_reply(r) for r in rows]

    async def all_replies(self) -> list[OwedReply]:
        """Every stored reply (tests and reports)."""
        rows = await self._db.fetch_all("SELECT * FROM whatsapp_replies ORDER BY id")
        return [_reply(r) for r in rows]

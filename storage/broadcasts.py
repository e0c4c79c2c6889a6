"""Announcements and follow-ups, their audiences, and owners' announcement opt-outs."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.models import (
    FINISHED_BROADCAST,
    Broadcast,
    BroadcastStatus,
    LinkRows,
    link_rows_json,
    link_rows_of,
)
from bot.core.models import Audience as Audience
from bot.core.models import Recipients as Recipients
from bot.core.notices import ChannelName, SentRef
from bot.core.ports import Transaction
from storage.database import Database, connection, from_db_time, to_db_time

_BASES = {
    "all": "",
    "booked": "AND EXISTS (SELECT 1 FROM bookings b WHERE b.user_id = p.user_id "
    "AND b.session_id = :session AND b.status = 'confirmed')",
    "waitlist": "AND EXISTS (SELECT 1 FROM bookings b WHERE b.user_id = p.user_id "
    "AND b.session_id = :session AND b.status IN ('waitlisted', 'offered'))",
    "attended": "AND EXISTS (SELECT 1 FROM bookings b WHERE b.user_id = p.user_id "
    "AND b.session_id = :session AND b.attended_at IS NOT NULL)",
    "missed": "AND EXISTS (SELECT 1 FROM bookings b WHERE b.user_id = p.user_id "
    "AND b.session_id = :session AND b.status = 'confirmed' AND b.attended_at IS NULL)",
    "not_booked": "AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.user_id = p.user_id "
    "AND b.status IN ('confirmed', 'waitlisted', 'offered'))",
}


def _audience_sql(audience: Audience) -> tuple[str, dict[str, Any]]:
    if audience.base not in _BASES:
        raise ValueError(f"unknown audience {audience.base!r}")
    sql = (
        "SELECT p.user_id, u.announcements_off, u.unreachable_at FROM owner_profiles p "
        "JOIN users u ON u.id = p.user_id WHERE 1 = 1 " + _BASES[audience.base]
    )
    params: dict[str, Any] = {"session": audience.session_id}
    for column, values in (("kecamatan", audience.kecamatan), ("category", audience.category)):
        if values:
            names = [f"{column}{i}" for i in range(len(values))]
            sql += f" AND p.{column} IN ({', '.join(':' + n for n in names)})"
            params.update(zip(names, values, strict=True))
    return sql + " ORDER BY p.user_id", params


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    finished = row["finished_at"]
    return Broadcast(
        id=row["id"],
        kind=row["kind"],
        created_by=row["created_by"],
        audience=json.loads(row["audience"]),
        text=row["text"],
        media_kind=row["media_kind"],
        buttons=link_rows_of(json.loads(row["buttons"])),
        status=BroadcastStatus(row["status"]),
        send_at=from_db_time(row["send_at"]),
        recipients=row["recipients"],
        skipped_opted_out=row["skipped_opted_out"],
        skipped_unreachable=row["skipped_unreachable"],
        created_at=from_db_time(row["created_at"]),
        finished_at=from_db_time(finished) if finished else None,
        media_sha256=row["media_sha256"],
        media_name=row["media_name"],
    )


class BroadcastRepository:
    """All SQL about announcements and follow-ups."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recipients(self, audience: Audience, *, respect_opt_out: bool = True) -> Recipients:
        """Resolve an audience now (committed state)."""
        sql, params = _audience_sql(audience)
        rows = await self._db.fetch_all(sql, params)
        return _split(rows, respect_opt_out)

    async def recipients_in(
        self, tx: Transaction, audience: Audience, *, respect_opt_out: bool = True
    ) -> Recipients:
        """Resolve an audience inside a transaction."""
        sql, params = _audience_sql(audience)
        async with connection(tx).execute(sql, params) as cursor:
            rows = list(await cursor.fetchall())
        return _split(rows, respect_opt_out)

    async def insert(
        self,
        tx: Transaction,
        *,
        kind: str,
        created_by: int,
        audience: Audience,
        text: str,
        media_kind: str | None,
        buttons: LinkRows,
        status: BroadcastStatus,
        send_at: datetime,
        counts: Recipients,
        now: datetime,
        media_sha256: str | None = None,
        media_name: str | None = None,
    ) -> int:
        """Record a broadcast; return its id."""
        cursor = await connection(tx).execute(
            "INSERT INTO broadcasts (kind, created_by, audience, text, media_kind, "
            "buttons, status, send_at, recipients, skipped_opted_out, "
            "skipped_unreachable, created_at, media_sha256, media_name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                created_by,
                json.dumps(audience.as_json()),
                text,
                media_kind,
                json.dumps(link_rows_json(buttons), ensure_ascii=False),
                status,
                to_db_time(send_at),
                len(counts.reachable),
                len(counts.opted_out),
                len(counts.unreachable),
                to_db_time(now),
                media_sha256,
                media_name,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """One broadcast."""
        row = await self._db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def lock(self, tx: Transaction, broadcast_id: int) -> Broadcast | None:
        """One broadcast, read inside a transaction."""
        sql = "SELECT * FROM broadcasts WHERE id = ?"
        async with connection(tx).execute(sql, (broadcast_id,)) as cur:
            row = await cur.fetchone()
        return _broadcast(row) if row else None

    async def set_status(
        self, tx: Transaction, broadcast_id: int, status: BroadcastStatus, now: datetime
    ) -> None:
        """Move a broadcast to another status (finished ones get a finish time)."""
        finished = to_db_time(now) if status in FINISHED_BROADCAST else None
        await connection(tx).execute(
            "UPDATE broadcasts SET status = ?, finished_at = COALESCE(?, finished_at) "
            "WHERE id = ?",
            (status, finished, broadcast_id),
        )

    async def set_status_message(self, broadcast_id: int, message: SentRef) -> None:
        """Remember the message, in the channel that showed it, where its progress is shown."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO broadcast_status_messages (broadcast_id, channel, ref) "
                "VALUES (?, ?, ?) ON CONFLICT (broadcast_id) DO UPDATE SET "
                "channel = excluded.channel, ref = excluded.ref",
                (broadcast_id, message.channel, message.message_id),
            )

    async def status_message(self, broadcast_id: int) -> SentRef | None:
        """The message where the broadcast's progress is shown, if one was remembered."""
        row = await self._db.fetch_one(
            "SELECT channel, ref FROM broadcast_status_messages WHERE broadcast_id = ?",
            (broadcast_id,),
        )
        return SentRef(ChannelName(row["channel"]), row["ref"]) if row else None

    async def in_status(self, *statuses: BroadcastStatus) -> list[Broadcast]:
        """Broadcasts in any of ``statuses``, oldest first."""
        marks = ", ".join("?" * len(statuses))
        rows = await self._db.fetch_all(
            f"SELECT * FROM broadcasts WHERE status IN ({marks}) ORDER BY id", statuses
        )
        return [_broadcast(r) for r in rows]

    async def history(self, limit: int, created_by: int | None = None) -> list[Broadcast]:
        """The latest broadcasts (optionally of one sender), newest first."""
        where, params = ("WHERE created_by = ?", [created_by]) if created_by else ("", [])
        rows = await self._db.fetch_all(
            f"SELECT * FROM broadcasts {where} ORDER BY id DESC LIMIT ?", (*params, limit)
        )
        return [_broadcast(r) for r in rows]

    async def delivery(self, broadcast_id: int) -> dict[str, int]:
        """Counts of a broadcast's copies by outcome (blocked: the owner blocked the bot)."""
        row = await self._db.fetch_one(
            """
            SELECT
                COALESCE(SUM(status = 'sent'), 0) AS sent,
                COALESCE(SUM(status = 'failed' AND last_error NOT LIKE 'forbidden%'), 0) AS failed,
                COALESCE(SUM((status = 'failed' AND last_error LIKE 'forbidden%')
                    OR (status = 'skipped' AND last_error = 'unreachable')), 0) AS blocked,
                COALESCE(SUM(status = 'skipped' AND COALESCE(last_error, '') <> 'unreachable'), 0)
                    AS skipped,
                COALESCE(SUM(status IN ('pending', 'sending')), 0) AS remaining,
                COALESCE(SUM(status = 'cancelled'), 0) AS cancelled
            FROM outbox WHERE ref = ?
            """,
            (f"broadcast:{broadcast_id}",),
        )
        assert row is not None
        return {key: int(row[key]) for key in row.keys()}  # noqa: SIM118

    async def set_announcements_off(self, user_id: int, off: bool) -> None:
        """Turn general announcements off or on for one owner."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE users SET announcements_off = ? WHERE id = ?", (int(off), user_id)
            )

    async def announcements_off(self, user_id: int) -> bool:
        """Whether the owner turned general announcements off."""
        row = await self._db.fetch_one(
            "SELECT announcements_off FROM users WHERE id = ?", (user_id,)
        )
        return bool(row and row["announcements_off"])


def _split(rows: list[aiosqlite.Row], respect_opt_out: bool) -> Recipients:
    reachable, opted_out, unreachable = [], [], []
    for row in rows:
        if row["unreachable_at"]:
            unreachable.append(row["user_id"])
        elif respect_opt_out and row["announcements_off"]:
            opted_out.append(row["user_id"])
        else:
            reachable.append(row["user_id"])
    return Recipients(reachable, opted_out, unreachable)

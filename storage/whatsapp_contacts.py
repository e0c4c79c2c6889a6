"""What the WhatsApp channel remembers per person: window, tier count, menus, held notices,
and which messages it sent to whom.

Rows are keyed by the id the channel sends to (a wa_id, or a BSUID for a phone-less person),
the same value as ``identities.external_id``; migrations 0013 and 0016 describe the tables.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from bot.core.whatsapp_records import HeldNotice as HeldNotice
from bot.core.whatsapp_records import Menu as Menu
from bot.core.whatsapp_records import TierReservation as TierReservation
from bot.core.whatsapp_records import WindowRecord as WindowRecord
from storage.database import Database, from_db_time, to_db_time

TIER_PERIOD = timedelta(hours=24)
SENT_KEPT = timedelta(days=30)


def _wamid_hash(wamid: str) -> str:
    return hashlib.sha256(wamid.encode()).hexdigest()


class WhatsAppContactRepository:
    """All SQL about WhatsApp windows, the messaging tier and numbered menus."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def saw_inbound(self, external_id: str, at: datetime) -> None:
        """Record a message from the person (an older one never moves the time back)."""
        stamp = to_db_time(at)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO whatsapp_windows (external_id, last_inbound) VALUES (?, ?) "
                "ON CONFLICT (external_id) DO UPDATE SET "
                "last_inbound = MAX(last_inbound, excluded.last_inbound)",
                (external_id, stamp),
            )

    async def remember_sent(self, wamid: str, external_id: str, at: datetime) -> None:
        """Note a message the bot sent (by a hash of its wamid); forget month-old ones."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM whatsapp_sent WHERE sent_at < ?", (to_db_time(at - SENT_KEPT),)
            )
            await tx.execute(
                "INSERT OR IGNORE INTO whatsapp_sent (wamid_hash, external_id, sent_at) "
                "VALUES (?, ?, ?)",
                (_wamid_hash(wamid), external_id, to_db_time(at)),
            )

    async def sent_to(self, wamid: str) -> str | None:
        """Whom the bot sent the message ``wamid`` to; None if it sent no such message."""
        row = await self._db.fetch_one(
            "SELECT external_id FROM whatsapp_sent WHERE wamid_hash = ?", (_wamid_hash(wamid),)
        )
        return str(row["external_id"]) if row else None

    async def window(self, external_id: str) -> WindowRecord | None:
        """The person's window record, if they ever wrote."""
        row = await self._db.fetch_one(
            "SELECT last_inbound, refused_at FROM whatsapp_windows WHERE external_id = ?",
            (external_id,),
        )
        if row is None:
            return None
        refused = from_db_time(row["refused_at"]) if row["refused_at"] else None
        return WindowRecord(from_db_time(row["last_inbound"]), refused)

    async def refused(self, external_id: str, at: datetime) -> None:
        """Record that Meta refused a free-form message to the person as outside the window."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE whatsapp_windows SET refused_at = ? WHERE external_id = ?",
                (to_db_time(at), external_id),
            )

    async def reserve_tier(self, external_id: str, now: datetime, limit: int) -> TierReservation:
        """Count the person in the moving 24 h unless they are counted or the tier is full."""
        since, stamp = to_db_time(now - TIER_PERIOD), to_db_time(now)
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM whatsapp_tier WHERE counted_at <= ?", (since,))
            async with tx.execute(
                "SELECT counted_at FROM whatsapp_tier WHERE external_id = ?", (external_id,)
            ) as cursor:
                mine = await cursor.fetchone()
            if mine is not None:
                return TierReservation(True, False, from_db_time(mine["counted_at"]))
            async with tx.execute("SELECT COUNT(*), MIN(counted_at) FROM whatsapp_tier") as cursor:
                row = await cursor.fetchone()
            used, oldest = (int(row[0]), row[1]) if row else (0, None)
            if used >= limit and oldest is not None:
                return TierReservation(False, False, from_db_time(oldest) + TIER_PERIOD)
            await tx.execute(
                "INSERT INTO whatsapp_tier (external_id, counted_at) VALUES (?, ?)",
                (external_id, stamp),
            )
        return TierReservation(True, True, from_db_time(stamp))

    async def release_tier(self, external_id: str, at: datetime) -> None:
        """Undo a reservation whose send did not go out."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM whatsapp_tier WHERE external_id = ? AND counted_at = ?",
                (external_id, to_db_time(at)),
            )

    async def tier_used(self, now: datetime) -> int:
        """Unique out-of-window template recipients in the moving 24 h."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM whatsapp_tier WHERE counted_at > ?",
            (to_db_time(now - TIER_PERIOD),),
        )
        return int(row[0]) if row else 0

    async def save_menu(self, external_id: str, choice_ids: tuple[str, ...], at: datetime) -> None:
        """Remember the person's newest numbered menu (replacing an older one)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO whatsapp_menus (external_id, choices, sent_at) VALUES (?, ?, ?) "
                "ON CONFLICT (external_id) DO UPDATE SET "
                "choices = excluded.choices, sent_at = excluded.sent_at",
                (external_id, json.dumps(list(choice_ids)), to_db_time(at)),
            )

    async def menu(self, external_id: str) -> Menu | None:
        """The person's newest numbered menu, if one stands."""
        row = await self._db.fetch_one(
            "SELECT choices, sent_at FROM whatsapp_menus WHERE external_id = ?", (external_id,)
        )
        if row is None:
            return None
        return Menu(
            tuple(str(c) for c in json.loads(row["choices"])), from_db_time(row["sent_at"])
        )

    async def clear_menu(self, external_id: str) -> None:
        """Forget the person's numbered menu (a newer message asks something else)."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM whatsapp_menus WHERE external_id = ?", (external_id,))

    async def hold(
        self,
        external_id: str,
        kind: str,
        parts: list[dict[str, Any]],
        menu: tuple[str, ...] | None,
        at: datetime,
    ) -> None:
        """Keep the messages of a notice until the person asks for them."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO whatsapp_held (external_id, kind, parts, menu, held_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    external_id,
                    kind,
                    json.dumps(parts, ensure_ascii=False),
                    json.dumps(list(menu)) if menu is not None else None,
                    to_db_time(at),
                ),
            )

    async def held(self, external_id: str) -> list[HeldNotice]:
        """The person's held notices, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM whatsapp_held WHERE external_id = ? ORDER BY id", (external_id,)
        )
        return [
            HeldNotice(
                r["id"],
                r["kind"],
                tuple(json.loads(r["parts"])),
                tuple(json.loads(r["menu"])) if r["menu"] is not None else None,
                from_db_time(r["held_at"]),
            )
            for r in rows
        ]

    async def release_held(self, held_id: int) -> None:
        """Forget a held notice (sent, or too old to send)."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM whatsapp_held WHERE id = ?", (held_id,))

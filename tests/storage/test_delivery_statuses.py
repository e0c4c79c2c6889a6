"""Delivery statuses: the furthest state a channel reported is kept; nothing moves back."""

from __future__ import annotations

from datetime import timedelta

from bot.core.notices import ChannelName, DeliveryState
from storage.database import Database
from storage.delivery_statuses import DeliveryStatusRepository
from tests.storage.conftest import T0

WAMID = "wamid.HBgLNjI4MTIzNDU2Nzg5"


async def _sent_row(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, language, created_at, last_seen_at) VALUES (1, 'id', ?, ?)",
            (T0.isoformat(), T0.isoformat()),
        )
        await conn.execute(
            "INSERT INTO outbox (user_id, kind, due_at, status, created_at, message_id) "
            "VALUES (1, 'reminder', ?, 'sent', ?, ?)",
            (T0.isoformat(), T0.isoformat(), WAMID),
        )


def test_the_states_are_ordered_with_failed_last() -> None:
    ordered = sorted(DeliveryState, key=lambda state: state.rank)
    assert ordered == [
        DeliveryState.SENT,
        DeliveryState.DELIVERED,
        DeliveryState.READ,
        DeliveryState.FAILED,
    ]


async def test_a_late_report_never_moves_a_message_back(db: Database) -> None:
    await _sent_row(db)
    statuses = DeliveryStatusRepository(db)
    wa = ChannelName.WHATSAPP
    assert await statuses.record(wa, WAMID, DeliveryState.READ, T0)
    assert not await statuses.record(wa, WAMID, "delivered", T0 + timedelta(seconds=1))
    assert not await statuses.record(wa, WAMID, "played", T0 + timedelta(seconds=2))
    kept = await statuses.get(wa, WAMID)
    assert kept is not None and kept.status == DeliveryState.READ
    assert await statuses.record(wa, WAMID, "failed", T0 + timedelta(seconds=3))
    assert await statuses.counts(wa) == {"failed": 1}

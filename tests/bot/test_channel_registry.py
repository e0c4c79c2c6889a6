"""The assembly's channel registry: channels by name, and delivery reads it, not a copy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app.channels import ChannelRegistry
from bot.core.notices import ChannelName
from bot.services.delivery import DeliveryService
from bot.services.sessions import SessionDraft
from storage.identities import IdentityRepository
from tests.bot.test_delivery_seam import (
    START,
    FakeChannel,
    builders_for,
    owner_on_fake_channel,
    services_at,
)
from tests.harness import FakeClock


def test_a_name_is_served_by_one_channel_in_the_order_added() -> None:
    first, second = FakeChannel(), FakeChannel()
    second.name = ChannelName.TELEGRAM  # type: ignore[misc]
    registry = ChannelRegistry(first)
    registry.add(second)

    assert list(registry) == [ChannelName.WHATSAPP, ChannelName.TELEGRAM]
    assert registry[ChannelName.WHATSAPP] is first
    with pytest.raises(ValueError, match="already registered"):
        registry.add(FakeChannel())


async def test_a_channel_added_after_delivery_started_is_sent_through(tmp_path: Path) -> None:
    clock = FakeClock(START)
    services = await services_at(tmp_path, clock)
    try:
        registry = ChannelRegistry()
        delivery = DeliveryService(
            services.outbox,
            services.users,
            builders_for(services),
            registry,
            services.now,
            identities=IdentityRepository(services.db),
        )
        await delivery.start()
        siti = await owner_on_fake_channel(services, "6281234567890", "Siti")
        starts = START + timedelta(days=2)
        session = await services.sessions.create(
            SessionDraft("Foto produk", starts, starts + timedelta(hours=2), 20, "Aula"),
            created_by=None,
        )
        await services.booking.book(siti, session.id)
        channel = FakeChannel()

        registry.add(channel)  # the edge joins after delivery was assembled
        clock.advance(days=1, hours=1)  # the day-before reminder falls due
        await delivery.drain()

        assert [(r.user_id, n.kind) for r, n in channel.sent] == [(siti, "reminder")]
    finally:
        await services.close()

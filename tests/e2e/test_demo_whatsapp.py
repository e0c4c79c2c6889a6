"""``dodolan demo``'s WhatsApp owner who booked and has not written since, as he reads it:
his confirmation waits behind the booking template until he taps it, and says nothing of a
fault, since nothing failed (issue 19.6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app.delivery import DeliveryRunner
from bot.app.demo import WA_SIGNED_UP, Demo
from handlers.telegram.delivery import SENDER_KEY
from tests.harness import FakeClock


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    running = Demo(tmp_path, port=0, now=FakeClock())
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def runner(demo: Demo) -> DeliveryRunner:
    assert demo.application is not None
    sender = demo.application.bot_data[SENDER_KEY]
    assert isinstance(sender, DeliveryRunner)
    return sender


async def test_a_confirmation_held_until_the_owner_taps_says_no_fault(demo: Demo) -> None:
    hadi = demo.whatsapp.person(WA_SIGNED_UP.wa_id, name=WA_SIGNED_UP.name)
    await demo.now.advance(timedelta(minutes=1))
    await runner(demo).drain()  # whatever fell due meanwhile is sent
    (notice,) = hadi.messages  # his window is closed: only a template could reach him
    assert notice.template == "dodolan_reopen" and "booking Anda" in notice.text

    replies = await hadi.tap_template("Lihat pesan")

    assert any("Foto produk pakai HP" in m.text for m in replies)
    assert not any("terlambat" in m.text or "gangguan" in m.text for m in replies)
    demo.whatsapp.assert_no_violations()

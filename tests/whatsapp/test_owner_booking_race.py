"""200 owners from both channels race for 30 seats of one session: exactly 30 are confirmed.

The 100 WhatsApp owners tap "Pesan kursi" through the emulator, webhook, inbox and router.
The 100 Telegram owners book through ``BookingService`` in the same database (the Telegram
edge is one thin call over it; its emulator is not needed to race for the database). Each
Telegram booking waits for one more WhatsApp send, so the two channels interleave.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.core.errors import BookingRefused
from simulator.whatsapp import WhatsAppPerson
from tests.waiting import GUARD
from tests.whatsapp.test_owner_booking_support import (
    BookingHarness,
    booking_running,
    create_profile,
)

SEATS = 30
PER_CHANNEL = 100
FIRST_TELEGRAM_ID = 700_000


async def _telegram_owner(b: BookingHarness, index: int) -> int:
    user_id = FIRST_TELEGRAM_ID + index
    await b.h.services.users.seen(user_id, "id", f"Tg {index}")
    await create_profile(b, user_id, f"Tg {index}", f"+62812000{index:05d}")
    return user_id


async def _telegram_books(b: BookingHarness, user_id: int, session_id: int, after: int) -> bool:
    """Book once ``after`` WhatsApp sends have happened; whether a seat was had."""
    activity = b.h.emu.world.activity
    while len(b.h.emu.calls) < after:
        await asyncio.wait_for(activity.event.wait(), GUARD)  # the next thing the emulator does
    try:
        await b.h.services.booking.book(user_id, session_id, waitlist=False)
    except BookingRefused as refusal:
        assert refusal.key == "booking.just_filled"
        return False
    return True


async def _whatsapp_taps(person: WhatsAppPerson) -> bool:
    """Tap the card's button; whether the answer is a seat."""
    card = person.last
    answer = await person.tap_on(card, "✅ Pesan kursi", within=120)
    if answer[0].type == "document":
        assert answer[0].text.startswith("🎉 *Kursi Anda sudah aman!*")
        return True
    (full,) = answer
    assert full.text.startswith("Yah, kursinya baru saja habis.")
    assert full.titles == ["⏳ Daftar tunggu"]
    return False


async def test_two_hundred_owners_on_two_channels_get_exactly_thirty_seats(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", timedelta(days=2), capacity=SEATS)
        people = [await b.owner(f"628133{i:06d}", f"Wa {i}") for i in range(PER_CHANNEL)]
        telegram = [await _telegram_owner(b, i) for i in range(PER_CHANNEL)]
        await asyncio.gather(*(p.say("jadwal", within=120) for p in people))

        base = len(b.h.emu.calls)
        results = await asyncio.gather(
            *(_whatsapp_taps(p) for p in people),
            *(_telegram_books(b, t, session.id, base + i) for i, t in enumerate(telegram)),
        )

        whatsapp_won, telegram_won = sum(results[:PER_CHANNEL]), sum(results[PER_CHANNEL:])
        assert whatsapp_won + telegram_won == SEATS
        assert whatsapp_won > 0 and telegram_won > 0
        rows = await b.booking_rows(session.id)
        confirmed = [r for r in rows if r["status"] == "confirmed"]
        assert len(confirmed) == SEATS == len({r["user_id"] for r in confirmed})
        assert len(rows) == SEATS  # nobody was queued without asking
        fresh = await b.h.services.sessions.get(session.id)
        assert fresh is not None and fresh.seats_left == 0
        b.h.emu.assert_no_violations()

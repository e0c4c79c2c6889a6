"""Owners answer what the bot sent on its own, written once, run on every channel: a seat freed
from the waitlist (taken, declined, or left to expire) and a reminder (coming, or cancelling
from it)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.models import BookingStatus
from bot.core.notices import ChannelName
from tests.e2e.support import create_session
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.journeys import paced_by_the_fake_clock, sign_up, time_passes
from tests.scenarios.text_channel import TEXT

TITLE = "Foto produk pakai HP"
# Declared: a WhatsApp reply button holds 20 characters, so "join the waitlist" is shorter.
WAIT = {
    ChannelName.TELEGRAM: "⏳ Masuk daftar tunggu",
    ChannelName.WHATSAPP: "⏳ Daftar tunggu",
    TEXT: "⏳ Masuk daftar tunggu",
}


async def status_of(bot: RunningBot, person: Driver, session_id: int) -> str:
    row = await bot.services.db.fetch_one(
        "SELECT status FROM bookings WHERE user_id = ? AND session_id = ?",
        (await person.user_id(), session_id),
    )
    assert row is not None
    return str(row["status"])


@pytest.mark.parametrize("answer", ["take", "decline", "expire"])
async def test_a_freed_seat_is_offered_to_the_owner_waiting(
    siti: Driver, budi: Driver, both: RunningBot, answer: str
) -> None:
    paced_by_the_fake_clock(both)
    session = await create_session(both, TITLE, capacity=1)
    for person, name in ((budi, "Budi Santoso"), (siti, "Siti Aminah")):
        await person.say("/start")
        await sign_up(person, name)
    await budi.say("/jadwal")
    await budi.tap("✅ Pesan kursi")
    siti.read()
    await siti.say("/jadwal")
    assert "Penuh" in siti.read()
    await siti.tap(WAIT[siti.channel])
    assert "daftar tunggu nomor 1" in siti.read()

    await budi.say("/bookingsaya")
    await budi.tap("❌ Batalkan booking")
    await budi.tap("Ya, batalkan")
    await time_passes(both, siti, budi)

    offer = siti.read()
    assert "Ada kursi kosong" in offer and TITLE in offer
    assert {"✅ Ambil kursi", "Tidak jadi"} <= set(offer.last.choices)
    assert await status_of(both, siti, session.id) == BookingStatus.OFFERED
    if answer == "take":
        await siti.tap("✅ Ambil kursi")
        assert "Kursi Anda sudah aman" in siti.read()
        assert await status_of(both, siti, session.id) == BookingStatus.CONFIRMED
    elif answer == "decline":
        await siti.tap("Tidak jadi")
        assert "peserta berikutnya" in siti.read()
        assert await status_of(both, siti, session.id) == BookingStatus.DECLINED
    else:
        both.clock.advance(hours=12, minutes=1)
        await time_passes(both, siti, budi)
        assert "sudah habis" in siti.read()
        assert await status_of(both, siti, session.id) == BookingStatus.EXPIRED
        await siti.tap("✅ Ambil kursi")  # the old offer's button changes nothing now
        assert "sudah tidak berlaku" in siti.read()
        assert await status_of(both, siti, session.id) == BookingStatus.EXPIRED


@pytest.mark.parametrize("answer", ["coming", "cancel"])
async def test_an_owner_answers_her_reminder(siti: Driver, both: RunningBot, answer: str) -> None:
    paced_by_the_fake_clock(both)
    # Wednesday 09.00 WIB: the reminder two hours before comes inside WhatsApp's 24 hours.
    starts = both.clock() + timedelta(days=1)
    session = await create_session(both, TITLE, starts_at=starts)
    await siti.say("/start")
    await sign_up(siti)
    await siti.say("/jadwal")
    await siti.tap("✅ Pesan kursi")
    siti.read()

    both.clock.moment = starts - timedelta(hours=2)
    await time_passes(both, siti)

    reminder = siti.read()
    assert TITLE in reminder and "Apakah Anda bisa hadir?" in reminder
    assert {"✅ Saya hadir", "❌ Tidak bisa hadir"} <= set(reminder.last.choices)
    if answer == "coming":
        await siti.tap("✅ Saya hadir")
        assert "Terima kasih, kami catat Anda akan hadir." in siti.read()
        row = await both.services.db.fetch_one(
            "SELECT status, will_attend_at FROM bookings WHERE session_id = ?", (session.id,)
        )
        assert row is not None and row["will_attend_at"] is not None
        assert row["status"] == BookingStatus.CONFIRMED
    else:
        await siti.tap("❌ Tidak bisa hadir")
        assert "Yakin membatalkan" in siti.read()
        await siti.tap("Ya, batalkan")
        assert "sudah dibatalkan" in siti.read()
        assert await status_of(both, siti, session.id) == BookingStatus.CANCELLED

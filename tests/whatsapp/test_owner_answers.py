"""Owners answer what the bot sent on its own: waitlist offers and reminders, in and out of the
24-hour window (buttons, or the template's quick replies carrying the same choice ids)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from simulator.whatsapp import WhatsAppPerson
from tests.whatsapp.test_owner_booking_support import (
    ANI,
    BUDI,
    SITI,
    BookingHarness,
    booking_running,
)

DAY = timedelta(days=1)


async def _full_with_siti_waiting(b: BookingHarness) -> tuple[int, WhatsAppPerson, WhatsAppPerson]:
    """A one-seat session Budi holds and Siti waits for; returns its id, Siti and Budi."""
    session = await b.session("Foto Produk Pakai HP", 3 * DAY, capacity=1)
    budi, siti = await b.owner(BUDI, "Budi"), await b.owner(SITI, "Siti")
    await budi.say("jadwal")
    await budi.tap("✅ Pesan kursi")
    (card,) = await siti.say("jadwal")
    assert "Penuh – 0 orang di daftar tunggu" in card.text
    (waiting,) = await siti.tap_on(card, "⏳ Daftar tunggu")
    assert "*daftar tunggu nomor 1*" in waiting.text
    return session.id, siti, budi


async def test_a_freed_seat_is_offered_with_buttons_inside_the_window_and_taken(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        session_id, siti, budi = await _full_with_siti_waiting(b)
        await budi.say("bookingsaya")
        await budi.tap("❌ Batalkan booking")
        await budi.tap("Ya, batalkan")
        await b.drain()

        offer = siti.last
        assert offer.type == "interactive" and offer.text.startswith("🎁 *Kabar baik!")
        assert offer.titles == ["✅ Ambil kursi", "Tidak jadi"]
        (confirmation,) = await siti.tap_on(offer, "✅ Ambil kursi")
        assert confirmation.text.startswith("🎉 *Kursi Anda sudah aman!*")
        assert confirmation.filename == f"sesi-{session_id}.ics"
        (again,) = await siti.tap_on(offer, "Tidak jadi")  # the offer is over
        assert again.text.startswith("Tawaran kursi ini sudah tidak berlaku.")
        rows = await b.booking_rows(session_id)
        assert [r["status"] for r in rows] == ["cancelled", "confirmed"]
        b.h.emu.assert_no_violations()


async def test_an_offer_outside_the_window_is_the_template_and_its_quick_reply_takes_the_seat(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        session_id, siti, _ = await _full_with_siti_waiting(b)
        b.h.clock.advance(hours=25)
        assert not siti.window_open
        (held,) = [r for r in await b.booking_rows(session_id) if r["status"] == "confirmed"]
        await b.h.services.booking.cancel(held["user_id"], held["id"])  # Budi, on another day
        await b.drain()

        offer = siti.last
        assert (offer.type, offer.template) == ("template", "dodolan_seat_offer")
        assert "Kursi ini kami tahan untuk Anda sampai" in offer.text
        (confirmation,) = await siti.tap_template("Ambil kursi")
        assert confirmation.text.startswith("🎉 *Kursi Anda sudah aman!*")
        statuses = [r["status"] for r in await b.booking_rows(session_id)]
        assert statuses == ["cancelled", "confirmed"]
        b.h.emu.assert_no_violations()  # nothing free-form went out while the window was shut


async def test_a_declined_offer_goes_to_the_next_owner_waiting(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session_id, siti, budi = await _full_with_siti_waiting(b)
        ani = await b.owner(ANI, "Ani")
        await ani.say("jadwal")
        await ani.tap("⏳ Daftar tunggu")
        await budi.say("bookingsaya")
        await budi.tap("❌ Batalkan booking")
        await budi.tap("Ya, batalkan")
        await b.drain()

        (declined,) = await siti.tap("Tidak jadi")
        assert declined.text.startswith("Oke, kursinya kami berikan ke peserta berikutnya.")
        await b.drain()
        assert ani.last.titles == ["✅ Ambil kursi", "Tidak jadi"]
        statuses = [r["status"] for r in await b.booking_rows(session_id)]
        assert statuses == ["cancelled", "declined", "offered"]
        b.h.emu.assert_no_violations()


async def test_a_reminder_template_answered_cannot_come_asks_and_then_cancels(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", 3 * DAY)
        siti = await b.owner(SITI, "Siti")
        await siti.say("jadwal")
        await siti.tap("✅ Pesan kursi")
        b.h.clock.advance(days=2)  # Sunday 09.00 WIB: the day-before reminder (08.00) is due
        await b.drain()

        reminder = siti.last
        assert (reminder.type, reminder.template) == ("template", "dodolan_reminder")
        assert [button.title for button in reminder.buttons] == ["Saya hadir", "Tidak bisa hadir"]
        (question,) = await siti.tap_template("Tidak bisa hadir")
        assert "❓ Yakin membatalkan *Foto Produk Pakai HP*" in question.text
        (cancelled,) = await siti.tap_on(question, "Ya, batalkan")
        assert cancelled.text.startswith("Booking untuk *Foto Produk Pakai HP* sudah dibatalkan.")
        (stale,) = await siti.tap_template("Saya hadir")  # the booking is over now
        assert stale.text.startswith("Tombol ini sudah tidak berlaku")
        assert [r["status"] for r in await b.booking_rows(session.id)] == ["cancelled"]
        b.h.emu.assert_no_violations()


async def test_a_reminder_inside_the_window_is_answered_with_its_buttons(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", 2 * DAY)
        siti = await b.owner(SITI, "Siti")
        await siti.say("jadwal")
        await siti.tap("✅ Pesan kursi")
        b.h.clock.advance(hours=23, minutes=30)  # Saturday 08.30 WIB, her window still open
        await b.drain()

        reminder = siti.last
        assert reminder.type == "interactive" and "Apakah Anda bisa hadir?" in reminder.text
        (thanks,) = await siti.tap_on(reminder, "✅ Saya hadir")
        assert thanks.text.startswith("Terima kasih, kami catat Anda akan hadir.")
        (again,) = await siti.tap_on(reminder, "✅ Saya hadir")
        assert again.text == "Sudah saya catat ✓"
        (row,) = await b.booking_rows(session.id)
        assert row["status"] == "confirmed" and row["will_attend_at"] is not None
        b.h.emu.assert_no_violations()

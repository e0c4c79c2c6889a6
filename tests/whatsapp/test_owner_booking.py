"""Owners book on WhatsApp end to end: schedule, cards, a seat, cancel, move, stale taps."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests import itip
from tests.whatsapp.test_owner_booking_support import BUDI, SITI, booking_running

DAY = timedelta(days=1)


async def test_the_schedule_as_cards_a_seat_in_one_tap_and_its_calendar_file(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        photos = await b.session("Foto Produk Pakai HP", DAY)
        await b.session("Judul & <Deskripsi> Toko", 2 * DAY)
        siti = await b.owner(SITI, "Siti")

        cards = await siti.say("jadwal")
        assert len(cards) == 2
        assert cards[0].text.startswith("Ini jadwal sesi yang masih bisa dipesan.")
        assert "*Foto Produk Pakai HP*\n🗓 Sabtu, 12 Desember 2026, 09.00–11.00 WIB" in (
            cards[0].text
        )
        assert "*Judul & <Deskripsi> Toko*" in cards[1].text  # escaped once, shown as typed
        assert [c.titles for c in cards] == [["✅ Pesan kursi"], ["✅ Pesan kursi"]]

        (confirmation,) = await siti.tap_on(cards[0], "✅ Pesan kursi")
        assert confirmation.type == "document" and confirmation.filename == f"sesi-{photos.id}.ics"
        assert confirmation.text.startswith("🎉 *Kursi Anda sudah aman!*\n*Foto Produk Pakai HP*")
        assert "Simpan ke kalender" not in confirmation.text  # the text says it once already
        assert confirmation.data is not None and b"BEGIN:VCALENDAR" in confirmation.data
        (row,) = await b.booking_rows(photos.id)
        assert (row["user_id"], row["status"]) == (await b.user_id(siti), "confirmed")
        outbox = [m for m in await b.h.services.outbox.all_messages() if m.kind.startswith("b")]
        assert [(m.kind, m.status) for m in outbox] == [("booking_confirmed", "sent")]

        (mine,) = await siti.say("bookingsaya")
        assert mine.text.startswith("✅ *Booking Anda*\n*Foto Produk Pakai HP*")
        assert "Sisa 19 kursi dari 20" in mine.text
        assert mine.titles == ["🔄 Pindah sesi", "❌ Batalkan booking"]
        b.h.emu.assert_no_violations()


async def test_more_than_three_sessions_come_as_one_list_whose_rows_open_each_card(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        titles = ["Foto Produk Pakai HP", "Buka Toko di Shopee", "Iklan", "Live Jualan", "Harga"]
        for days, title in enumerate(titles, start=1):
            await b.session(title, days * DAY)
        siti = await b.owner(SITI, "Siti")

        (schedule,) = await siti.say("schedule")
        assert schedule.type == "interactive" and schedule.list_button == "Pilih"
        assert schedule.text.startswith("Ini jadwal sesi yang masih bisa dipesan. Buka daftarnya")
        assert schedule.row_titles[0] == "Foto Produk Pakai HP"  # the title, not the date
        assert schedule.row_titles[2] == "Iklan"
        assert all(len(t) <= 24 for t in schedule.row_titles)
        assert schedule.rows[0].description == "Sab 12/12 09.00 · Aula Dinas"

        (card,) = await siti.pick("Iklan")
        assert card.text.startswith("*Iklan*\n🗓 Senin, 14 Desember 2026")
        assert card.titles == ["✅ Pesan kursi", "⬅️ Semua jadwal"]
        (again,) = await siti.tap("⬅️ Semua jadwal")
        assert again.row_titles == schedule.row_titles
        b.h.emu.assert_no_violations()


async def test_a_guest_who_taps_book_is_asked_to_sign_up_first(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", DAY)
        guest = b.h.person(BUDI, name="Budi")
        (card,) = await guest.say("jadwal")
        (consent,) = await guest.tap_on(card, "✅ Pesan kursi")
        assert consent.text.startswith("Supaya bisa pesan kursi, daftar dulu ya")
        assert consent.titles == ["✅ Setuju", "Tidak setuju"]
        assert await b.booking_rows(session.id) == []
        b.h.emu.assert_no_violations()


async def test_cancel_asks_first_keeps_on_no_and_a_second_tap_changes_nothing(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", DAY)
        siti = await b.owner(SITI, "Siti")
        await siti.say("jadwal")
        (booked,) = await siti.tap("✅ Pesan kursi")
        assert booked.data is not None and itip.check(booked.data).method == "REQUEST"
        await siti.say("bookingsaya")

        (question,) = await siti.tap("❌ Batalkan booking")
        assert "❓ Yakin membatalkan *Foto Produk Pakai HP*" in question.text
        assert question.titles == ["Ya, batalkan", "Tidak jadi"]
        (kept,) = await siti.tap_on(question, "Tidak jadi")
        assert kept.text == "Oke, booking Anda tetap. 👍"
        assert [r["status"] for r in await b.booking_rows(session.id)] == ["confirmed"]

        (question,) = await siti.tap("❌ Batalkan booking")
        (cancelled,) = await siti.tap_on(question, "Ya, batalkan")
        assert cancelled.text.startswith("Booking untuk *Foto Produk Pakai HP* sudah dibatalkan.")
        # one document: the cancellation is the caption of the file that removes the entry
        assert cancelled.type == "document" and cancelled.filename == f"sesi-{session.id}.ics"
        assert "menghapus sesi itu dari kalender HP Anda" in cancelled.text
        assert cancelled.data is not None and booked.data is not None
        removal, added = itip.check(cancelled.data), itip.check(booked.data)
        assert (removal.method, removal.status, removal.uid) == ("CANCEL", "CANCELLED", added.uid)
        assert removal.sequence > added.sequence
        (repeat,) = await siti.tap_on(question, "Ya, batalkan")  # a double tap
        assert repeat.text == "Sudah saya catat ✓"
        (old,) = await siti.tap_on(question, "Tidak jadi")  # the question is over
        assert old.text.startswith("Tombol ini sudah tidak berlaku karena booking-nya sudah")
        assert [r["status"] for r in await b.booking_rows(session.id)] == ["cancelled"]
        b.h.emu.assert_no_violations()


async def test_a_seat_moves_to_another_session_and_the_old_one_leaves_the_calendar(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        first = await b.session("Foto Produk Pakai HP", DAY)
        second = await b.session("Foto Produk Lanjutan", 2 * DAY)
        siti = await b.owner(SITI, "Siti")
        cards = await siti.say("jadwal")
        await siti.tap_on(cards[0], "✅ Pesan kursi")
        await siti.say("bookingsaya")

        (targets,) = await siti.tap("🔄 Pindah sesi")
        assert targets.text.startswith("Pilih sesi tujuan.")
        assert targets.row_titles == ["Foto Produk Lanjutan"]
        assert targets.rows[0].description.startswith("Min 13/12 09.00 · ")
        moved = await siti.pick("Foto Produk Lanjutan")
        assert moved[0].type == "document" and moved[0].filename == f"sesi-{second.id}.ics"
        assert "Foto Produk Lanjutan" in moved[0].text
        assert moved[-1].filename == f"sesi-{first.id}.ics"  # removes the old entry
        assert moved[-1].data is not None and b"METHOD:CANCEL" in moved[-1].data
        assert [r["status"] for r in await b.booking_rows(first.id)] == ["cancelled"]
        assert [r["status"] for r in await b.booking_rows(second.id)] == ["confirmed"]
        b.h.emu.assert_no_violations()


async def test_forged_and_foreign_taps_are_answered_and_change_nothing(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", DAY)
        siti, budi = await b.owner(SITI, "Siti"), await b.owner(BUDI, "Budi")
        await budi.say("jadwal")
        await budi.tap("✅ Pesan kursi")
        (budis,) = await b.booking_rows(session.id)

        await siti.say("jadwal")
        for forged in (
            f"bk:v1:cancel:{budis['id']}",  # someone else's booking
            f"bk:v1:move:{budis['id']}:{session.id}",
            "bk:v1:cancel:99999",
        ):
            (answer,) = await siti.tap_forged(forged)
            assert answer.text.startswith("Tombol ini sudah tidak berlaku karena booking"), forged
        for forged in ("bk:v1:book:x", "bk:v1:list:7", "bk:v2:book:1", "zz:v1:whatever"):
            (answer,) = await siti.tap_forged(forged)  # no button of ours looks like this
            assert answer.text.startswith("Tombol itu dari pesan lama"), forged
        (gone,) = await siti.tap_forged("bk:v1:book:99999")
        assert gone.text.startswith("Sesi itu tidak ditemukan atau sudah dibatalkan.")
        assert [(r["user_id"], r["status"]) for r in await b.booking_rows(session.id)] == [
            (await b.user_id(budi), "confirmed")
        ]
        b.h.emu.assert_no_violations()


async def test_a_double_tap_on_book_takes_one_seat(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", DAY)
        siti = await b.owner(SITI, "Siti")
        (card,) = await siti.say("jadwal")
        await siti.tap_on(card, "✅ Pesan kursi")
        (again,) = await siti.tap_on(card, "✅ Pesan kursi")
        assert again.text == "Sudah saya catat ✓"
        (later,) = await siti.say("jadwal")
        (refused,) = await siti.tap_on(later, "✅ Pesan kursi")  # a new card: the rule says why
        assert refused.text.startswith("Anda sudah terdaftar di sesi ini.")
        assert len(await b.booking_rows(session.id)) == 1
        b.h.emu.assert_no_violations()


async def test_english_words_and_texts_for_an_english_owner(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        await b.session("Product Photos", DAY)
        siti = await b.owner(SITI, "Siti", language="en")
        (card,) = await siti.say("Sessions")
        assert card.text.startswith("These sessions can still be booked.")
        await siti.tap("✅ Book a seat")
        (mine,) = await siti.say("my bookings")
        assert mine.titles == ["🔄 Move session", "❌ Cancel booking"]
        budi = await b.owner(BUDI, "Budi", language="en")
        (none,) = await budi.say("mybooking")
        assert none.text == "You have no booking yet. See the sessions with *schedule*."
        b.h.emu.assert_no_violations()


async def test_a_shared_session_link_opens_its_card_even_in_the_middle_of_sign_up(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", DAY)
        budi = b.h.person(BUDI, name="Budi")
        await budi.say("Halo")
        (name,) = await budi.tap("✅ Setuju")
        assert "*nama lengkap*" in name.text
        # a friend's wa.me link typed "SESI-<code>": the card, then the question again
        card, again = await budi.say(f"SESI-{session.code}")
        assert card.text.startswith("*Foto Produk Pakai HP*\n🗓 Sabtu, 12 Desember 2026")
        assert card.titles[0] == "✅ Pesan kursi"
        assert "*nama lengkap*" in again.text
        dialog = await b.h.services.dialogs.current(await b.user_id(budi))
        assert dialog is not None and dialog.data.get("full_name") is None  # not taken as a name
        b.h.emu.assert_no_violations()

"""Owners book, cancel and move; the waitlist moves by itself (through the emulator)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.services import notices
from simulator import BotApiEmulator, FakeUser
from simulator.ratelimit import is_limited_method
from tests import itip
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot
from tests.waiting import GUARD

WIB = ZoneInfo("Asia/Jakarta")
CONFIRMED = "Kursi Anda sudah aman"


async def booked_rows(bot: RunningBot, session_id: int) -> list[tuple[int, str]]:
    rows = await bot.services.db.fetch_all(
        "SELECT user_id, status FROM bookings WHERE session_id = ? ORDER BY seq", (session_id,)
    )
    return [(r["user_id"], r["status"]) for r in rows]


async def test_schedule_shows_open_sessions_the_malang_way(
    bot: RunningBot, siti: FakeUser
) -> None:
    await create_session(bot, capacity=30)
    await register_owner(bot, siti.id, "Siti")
    (card,) = await siti.command("jadwal")  # one session: one message, introduced
    assert card.text.startswith("Ini jadwal sesi yang masih bisa dipesan")
    assert "Sabtu, 12 Desember 2026, 09.00–11.00 WIB" in card.text
    assert "Malang Creative Center, Jl. A. Yani No. 53, Blimbing" in card.text
    assert "Sisa 30 kursi dari 30" in card.text
    assert card.buttons == [["✅ Pesan kursi"]]


async def test_schedule_in_english(bot: RunningBot, budi: FakeUser) -> None:
    await create_session(bot)
    (card,) = await budi.command("sessions")
    assert "Saturday, 12 December 2026, 09:00–11:00 WIB" in card.text
    assert card.buttons == [["✅ Book a seat"]]


async def test_no_open_sessions(bot: RunningBot, siti: FakeUser) -> None:
    (reply,) = await siti.command("jadwal")
    assert "Belum ada jadwal" in reply.text


async def test_booking_sends_confirmation_calendar_and_location(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot)
    siti_id = await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    mark = len(emulator.calls)
    replies = await siti.press("✅ Pesan kursi")
    # the card shows the seat taken; one message carries the confirmation, file and map
    limited = [c.method for c in emulator.calls[mark:] if is_limited_method(c.method)]
    assert limited == ["editMessageText", "sendDocument"]
    confirmation = next(m for m in replies if "Kursi Anda sudah aman" in m.text)
    assert "Sabtu, 12 Desember 2026, 09.00–11.00 WIB" in confirmation.text
    assert confirmation.document is not None
    document = confirmation.document
    assert document[0] == f"sesi-{session.id}.ics"
    calendar = icalendar.Calendar.from_ical(document[2])
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.astimezone(WIB).hour == 9 and start == SATURDAY_9
    assert confirmation.buttons == [["🗺 Buka peta"]]
    assert confirmation.button_data["🗺 Buka peta"].endswith("query=-7.9362,112.6434")
    assert await booked_rows(bot, session.id) == [(siti_id, "confirmed")]
    # the caption says once that the file is for the calendar
    assert (
        confirmation.text.count("kalender") == 1 and "Simpan ke kalender" not in confirmation.text
    )
    assert itip.check(document[2]).method == "REQUEST"  # an invitation from the first file


async def test_an_owner_who_cancels_a_seat_gets_a_file_that_removes_it_from_the_calendar(
    bot: RunningBot, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(bot, capacity=1)
    for user in (siti, budi):
        await register_owner(bot, user.id, user.first_name, client_language=user.language_code)
    await siti.command("jadwal")
    replies = await siti.press("✅ Pesan kursi")
    (file,) = [m.document for m in replies if m.document]
    booked = itip.check(file[2])
    await budi.command("sessions")
    await budi.press("⏳ Join the waitlist")
    # Budi only waited: he has no calendar entry, so leaving sends no file
    seen = len(budi.messages)
    await budi.command("mybooking")
    await budi.press("Leave the waitlist")
    await budi.press("Yes, cancel")
    assert any("is cancelled" in m.text for m in budi.messages[seen:])
    assert [m.document for m in budi.messages[seen:] if m.document] == []

    await siti.command("bookingsaya")
    await siti.press("❌ Batalkan booking")
    replies = await siti.press("Ya, batalkan")
    (cancelled,) = [m for m in replies if "sudah dibatalkan" in m.text]
    assert "Buka file ini untuk menghapus sesi itu dari kalender HP Anda" in cancelled.text
    assert cancelled.document is not None and cancelled.document[0] == f"sesi-{session.id}.ics"
    removal = itip.check(cancelled.document[2])
    assert (removal.method, removal.status, removal.uid) == ("CANCEL", "CANCELLED", booked.uid)
    assert removal.sequence > booked.sequence and removal.attendees == booked.attendees


async def test_full_session_offers_the_waitlist_with_a_position(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(bot, capacity=1)
    for user in (siti, budi):
        await register_owner(bot, user.id, user.first_name, client_language=user.language_code)
    await budi.command("jadwal")
    await budi.press("✅ Book a seat")
    (card,) = await siti.command("jadwal")
    assert "Penuh – 0 orang di daftar tunggu" in card.text
    replies = await siti.press("⏳ Masuk daftar tunggu")
    assert "daftar tunggu nomor 1" in replies[-1].text
    (mine,) = await siti.command("bookingsaya")
    assert "Daftar tunggu – nomor 1" in mine.text
    assert await booked_rows(bot, session.id) == [
        (await bot.user_id_of(budi.id), "confirmed"),
        (await bot.user_id_of(siti.id), "waitlisted"),
    ]


async def fill_and_queue(
    bot: RunningBot, emulator: BotApiEmulator, capacity: int, people: list[FakeUser]
) -> int:
    """Create a session, book it full in order and queue the rest; return its id."""
    session = await create_session(bot, capacity=capacity)
    for user in people:
        await register_owner(bot, user.id, user.first_name, client_language=user.language_code)
        await user.command("jadwal")
        await user.press_data(f"bk:v1:wait:{session.id}")
    return session.id


async def test_a_cancelled_seat_is_offered_to_the_first_waiting_who_takes_it(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    rina = emulator.user(1003, "Rina", language_code="id")
    session_id = await fill_and_queue(bot, emulator, 1, [budi, siti, rina])
    await budi.command("mybooking")
    await budi.press("❌ Cancel booking")
    replies = await budi.press("Yes, cancel")
    assert "is cancelled" in replies[-1].text
    assert await bot.tick() >= 1
    offer = siti.last
    assert "Ada kursi kosong" in offer.text and offer.has_button("✅ Ambil kursi")
    assert "Selasa, 1 Desember 2026, 21.00 WIB" in offer.text  # held for 12 hours
    replies = await siti.press("✅ Ambil kursi")
    assert any("Kursi Anda sudah aman" in m.text for m in replies)
    assert (await booked_rows(bot, session_id))[1:] == [
        (await bot.user_id_of(siti.id), "confirmed"),
        (await bot.user_id_of(rina.id), "waitlisted"),
    ]
    assert "sekarang nomor 1" in rina.last.text  # rina heard she moved up
    await siti.press_data(offer.button_data["✅ Ambil kursi"])  # a second tap changes nothing
    assert "sudah tidak berlaku" in siti.last.text and "/bookingsaya" in siti.last.text


async def test_declined_offer_moves_to_the_next(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    rina = emulator.user(1003, "Rina", language_code="id")
    session_id = await fill_and_queue(bot, emulator, 1, [budi, siti, rina])
    budi_id = await bot.user_id_of(budi.id)
    booking = (await bot.services.booking.current(budi_id))[0].booking
    await bot.services.booking.cancel(budi_id, booking.id)
    await bot.tick()
    replies = await siti.press("Tidak jadi")
    assert "peserta berikutnya" in replies[-1].text
    await bot.tick()
    assert rina.last.has_button("✅ Ambil kursi")
    statuses = dict(await booked_rows(bot, session_id))
    assert statuses[await bot.user_id_of(rina.id)] == "offered"


async def test_an_offer_expires_with_the_moved_clock_and_passes_on(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    rina = emulator.user(1003, "Rina", language_code="id")
    session_id = await fill_and_queue(bot, emulator, 1, [budi, siti, rina])
    budi_id, siti_id = await bot.user_id_of(budi.id), await bot.user_id_of(siti.id)
    booking = (await bot.services.booking.current(budi_id))[0].booking
    await bot.services.booking.cancel(budi_id, booking.id)
    await bot.tick()
    stale_offer = siti.last
    bot.clock.advance(hours=11, minutes=59)
    await bot.tick()
    assert dict(await booked_rows(bot, session_id))[siti_id] == "offered"  # not yet
    bot.clock.advance(minutes=2)
    await bot.tick()
    assert "sudah habis" in siti.last.text
    assert rina.last.has_button("✅ Ambil kursi")
    await siti.press_data(stale_offer.button_data["✅ Ambil kursi"])
    assert "sudah tidak berlaku" in siti.last.text
    assert dict(await booked_rows(bot, session_id))[siti_id] == "expired"


async def test_the_hold_is_shorter_when_the_session_is_near(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    await fill_and_queue(bot, emulator, 1, [budi, siti])
    bot.clock.moment = SATURDAY_9 - timedelta(hours=4)
    budi_id, siti_id = await bot.user_id_of(budi.id), await bot.user_id_of(siti.id)
    booking = (await bot.services.booking.current(budi_id))[0].booking
    await bot.services.booking.cancel(budi_id, booking.id)
    await bot.tick()
    offer = (await bot.services.booking.current(siti_id))[0].booking
    assert offer.offer_expires_at == bot.clock.moment + timedelta(hours=1)  # a quarter of 4h


async def test_waitlisted_owners_hear_when_the_session_starts_without_them(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    await fill_and_queue(bot, emulator, 1, [budi, siti])
    bot.clock.moment = SATURDAY_9 + timedelta(minutes=1)
    await bot.tick()
    assert "sudah dimulai dan belum ada kursi" in siti.last.text
    assert await bot.services.booking.current(await bot.user_id_of(siti.id)) == []


async def test_moving_keeps_the_old_seat_until_the_new_one_is_secured(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    first = await create_session(bot, "Sesi A")
    full = await create_session(
        bot, "Sesi B", starts_at=SATURDAY_9 + timedelta(days=1), capacity=1
    )
    open_ = await create_session(bot, "Sesi C", starts_at=SATURDAY_9 + timedelta(days=2))
    for user in (siti, budi):
        await register_owner(bot, user.id, user.first_name, client_language=user.language_code)
    await budi.command("jadwal")
    await budi.press_data(f"bk:v1:book:{full.id}")
    await siti.command("jadwal")
    await siti.press_data(f"bk:v1:book:{first.id}")
    (mine,) = await siti.command("bookingsaya")
    assert "Sesi A" in mine.text
    choices = (await siti.press("🔄 Pindah sesi"))[-1]
    assert [row[0].split(" · ")[1] for row in choices.buttons] == ["Sesi C"]  # B is full
    siti_id = await bot.user_id_of(siti.id)
    booking_id = (await bot.services.booking.current(siti_id))[0].booking.id
    await siti.press_data(f"bk:v1:move:{booking_id}:{full.id}")  # forged: B is full
    assert "Sesi tujuan sudah penuh" in siti.last.text
    assert await booked_rows(bot, first.id) == [(siti_id, "confirmed")]
    label = choices.buttons[0][0]
    replies = await siti.press(label)
    assert any("Kursi Anda sudah aman" in m.text and "Sesi C" in m.text for m in replies)
    shown = next(m for m in siti.messages if m.message_id == choices.message_id)
    assert shown.text.startswith("Pilih sesi tujuan") and shown.buttons == []
    assert f"➡️ Dipilih: {label}" in shown.text  # the list keeps what was chosen
    assert await booked_rows(bot, first.id) == [(siti_id, "cancelled")]
    assert await booked_rows(bot, open_.id) == [(siti_id, "confirmed")]


async def test_booking_rules(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    first = await create_session(bot, "Sesi A")
    second = await create_session(bot, "Sesi B", starts_at=SATURDAY_9 + timedelta(days=1))
    await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    await siti.press_data(f"bk:v1:book:{first.id}")
    await siti.press_data(f"bk:v1:book:{first.id}")
    assert "sudah terdaftar di sesi ini" in siti.last.text
    await siti.press_data(f"bk:v1:book:{second.id}")
    assert "boleh 1 sesi" in siti.last.text
    await register_owner(bot, budi.id, "Budi", client_language="en")
    await bot.services.sessions.set_status(second.id, "closed")
    await budi.command("jadwal")
    await budi.press_data(f"bk:v1:book:{second.id}")
    assert "registration for this session is closed" in budi.last.text.lower()
    bot.clock.moment = SATURDAY_9 - timedelta(hours=1)  # past the 2-hour cut-off of A
    await budi.press_data(f"bk:v1:book:{first.id}")
    assert "starts soon" in budi.last.text
    bot.clock.moment = SATURDAY_9 + timedelta(hours=1)
    await budi.press_data(f"bk:v1:book:{first.id}")
    assert "already started" in budi.last.text
    await bot.services.sessions.cancel(second.id)
    await budi.press_data(f"bk:v1:book:{second.id}")
    assert "cancelled" in budi.last.text
    assert await booked_rows(bot, second.id) == []


async def test_a_stale_book_button_on_a_now_full_session_changes_nothing(
    bot: RunningBot, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(bot, capacity=1)
    for user in (siti, budi):
        await register_owner(bot, user.id, user.first_name, client_language=user.language_code)
    await siti.command("jadwal")  # siti sees a free seat...
    await budi.command("jadwal")
    await budi.press("✅ Book a seat")  # ...which budi takes first
    replies = await siti.press("✅ Pesan kursi")
    old_card, refusal, card = replies
    assert "Penuh – 0 orang di daftar tunggu" in old_card.text and old_card.buttons == []
    assert "baru saja habis" in refusal.text  # a message that stays, not a toast
    assert card.buttons == [["⏳ Masuk daftar tunggu"]]
    assert await booked_rows(bot, session.id) == [(await bot.user_id_of(budi.id), "confirmed")]


async def test_someone_elses_booking_cannot_be_touched(
    bot: RunningBot, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(bot)
    for user in (siti, budi):
        await register_owner(bot, user.id, user.first_name, client_language=user.language_code)
    await siti.command("jadwal")
    await siti.press("✅ Pesan kursi")
    siti_id = await bot.user_id_of(siti.id)
    siti_booking = (await bot.services.booking.current(siti_id))[0].booking.id
    await budi.command("jadwal")
    for data in (
        f"bk:v1:cancel:{siti_booking}",
        f"bk:v1:cancelask:{siti_booking}",
        f"bk:v1:move:{siti_booking}:{session.id}",
        f"wl:v1:take:{siti_booking}",
        "bk:v1:book:99999",
        "bk:v1:book:abc",
    ):
        await budi.press_data(data)
        assert budi.last.text in (
            "This button no longer applies because the booking has changed. "
            "See your booking now with /mybooking.",
            "This seat offer no longer applies. See your booking now with /mybooking.",
            "That session was not found or has been cancelled. See /sessions for others.",
            # a session or button shape of no list of ours (bot/services/unexpected.py)
            "That button is from an older message, so I did not use it and nothing changed. 🙏",
        ), data
    assert await booked_rows(bot, session.id) == [(siti_id, "confirmed")]


async def test_unregistered_owner_signs_up_and_lands_back_on_the_booking(
    bot: RunningBot, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await siti.command("jadwal")
    replies = await siti.press("✅ Pesan kursi")
    assert "daftar dulu" in replies[0].text and "izin penggunaan data" in replies[-1].text
    await siti.press("✅ Setuju")
    await siti.send("Siti Aminah")
    await siti.send("Keripik Tempe")
    await siti.press("Kuliner/makanan-minuman")
    await siti.press("Klojen")
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Shopee")
    await siti.press("Selesai")
    await siti.press("Lewati")
    replies = await siti.press("✅ Konfirmasi")
    assert "Pendaftaran selesai" in replies[-2].text
    assert replies[-1].buttons == [["✅ Pesan kursi"]] and session.title in replies[-1].text
    await siti.press("✅ Pesan kursi")
    assert await booked_rows(bot, session.id) == [(await bot.user_id_of(siti.id), "confirmed")]


async def test_session_deep_link(bot: RunningBot, siti: FakeUser, budi: FakeUser) -> None:
    session = await create_session(bot)
    await register_owner(bot, siti.id, "Siti")
    (card,) = await siti.command("start", f"sesi-{session.code}")
    assert session.title in card.text and card.buttons == [["✅ Pesan kursi"]]
    (gone,) = await siti.command("start", "sesi-zzzzzzzz")
    assert "tidak ditemukan" in gone.text
    replies = await budi.command("start", f"sesi-{session.code}")  # a newcomer signs up first
    assert "permission to use your data" in replies[-1].text


RACERS = 40
SEATS = 8


async def test_forty_owners_race_for_eight_seats(
    bot: RunningBot, emulator: BotApiEmulator
) -> None:
    """A smoke run of the race through Telegram (stale cards, the waitlist button, the texts);
    the rule under contention, with more owners, is tested on the service:
    tests/services/test_booking.py::
    test_owners_racing_for_the_seats_get_exactly_them_then_queue_in_order_when_asked."""
    session = await create_session(bot, capacity=SEATS)
    people = [emulator.user(20_000 + i, f"Owner {i}", language_code="id") for i in range(RACERS)]
    for person in people:
        await register_owner(bot, person.id, person.first_name)
    await asyncio.gather(*(p.command("jadwal", within=GUARD) for p in people))
    await asyncio.gather(*(p.press("✅ Pesan kursi", within=GUARD) for p in people))
    late = [p for p in people if any("baru saja habis" in m.text for m in p.messages)]
    assert len(late) == RACERS - SEATS  # a stale "book a seat" queues nobody without asking...
    await asyncio.gather(*(p.press("⏳ Masuk daftar tunggu", within=GUARD) for p in late))
    with sqlite3.connect(bot.settings.database) as conn:
        statuses = conn.execute(
            "SELECT status, COUNT(*) FROM bookings WHERE session_id = ? GROUP BY status",
            (session.id,),
        ).fetchall()
        seqs = conn.execute(
            "SELECT seq FROM bookings WHERE session_id = ? AND status = 'waitlisted'",
            (session.id,),
        ).fetchall()
    conn.close()
    assert dict(statuses) == {"confirmed": SEATS, "waitlisted": RACERS - SEATS}
    assert len({s for (s,) in seqs}) == RACERS - SEATS
    ranks = sorted(
        int(match[1])
        for p in people
        if (match := re.search(r"daftar tunggu nomor (\d+)", p.last.text))
    )
    assert ranks == list(range(1, RACERS - SEATS + 1))
    assert emulator.violations == []


async def test_changes_and_cancellation_reach_everyone_booked_or_waiting(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    session_id = await fill_and_queue(bot, emulator, 1, [budi, siti])
    later = SATURDAY_9 + timedelta(days=1, hours=4)  # Sunday 13.00 WIB
    await bot.services.sessions.change(
        session_id, {"starts_at": later, "ends_at": later + timedelta(hours=2)}
    )
    await bot.tick()
    change, calendar = budi.messages[-2:]  # budi holds the seat: his calendar entry moves too
    assert "has changed" in change.text and "Now: Sunday, 13 December 2026, 13:00–15:00" in (
        change.text
    )
    assert calendar.document is not None
    assert (
        "Ada perubahan" in siti.last.text
        and "Sekarang: Minggu, 13 Desember 2026, 13.00–15.00" in siti.last.text
    )
    await bot.services.sessions.cancel(session_id)
    await bot.tick()
    assert "has been cancelled" in budi.messages[-2].text and budi.last.document is not None
    assert "dibatalkan" in siti.last.text
    assert await bot.services.booking.current(await bot.user_id_of(budi.id)) == []


async def test_a_restart_during_an_offer_neither_loses_nor_repeats_it(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    session_id = await fill_and_queue(bot, emulator, 1, [budi, siti])
    budi_id = await bot.user_id_of(budi.id)
    booking = (await bot.services.booking.current(budi_id))[0].booking
    await bot.services.booking.cancel(budi_id, booking.id)
    await bot.restart()  # the offer is decided but not yet sent
    await bot.tick()
    offers = [m for m in siti.messages if "Ada kursi kosong" in m.text]
    assert len(offers) == 1
    await bot.restart()
    await bot.tick()
    assert len([m for m in siti.messages if "Ada kursi kosong" in m.text]) == 1
    await siti.press("✅ Ambil kursi")
    assert dict(await booked_rows(bot, session_id))[await bot.user_id_of(siti.id)] == "confirmed"


async def after_a_crash(bot: RunningBot) -> None:
    """Start the bot again on the same database and send what fell due meanwhile."""
    await bot.restart()
    bot.clock.advance(seconds=notices.REPLY_GRACE.total_seconds())
    await bot.tick()


def count(user: FakeUser, text: str) -> int:
    return sum(text in m.text for m in user.messages)


async def test_a_booking_committed_before_a_crash_is_confirmed_once_after_restart(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot, venue_name="Toko Buku A & B")
    siti_id = await register_owner(bot, siti.id, "Siti")
    emulator.open_chat(siti.id)
    # The booking commits, and the process dies before the handler can reply.
    await bot.services.booking.book(siti_id, session.id)
    assert siti.messages == []
    await after_a_crash(bot)
    (confirmation,) = [m for m in siti.messages if CONFIRMED in m.text]
    assert "terlambat terkirim" in confirmation.text
    assert "Toko Buku A & B, Jl. A. Yani" in confirmation.text  # escaped once, not twice
    assert [m.document[0] for m in siti.messages if m.document] == [f"sesi-{session.id}.ics"]
    assert confirmation.document is not None and confirmation.buttons == [["🗺 Buka peta"]]
    await after_a_crash(bot)
    bot.clock.advance(hours=1)
    await bot.tick()
    assert count(siti, CONFIRMED) == 1 and len(siti.messages) == 1


async def test_a_reply_sent_at_once_is_not_sent_again_after_a_restart(
    bot: RunningBot, siti: FakeUser
) -> None:
    await create_session(bot)
    await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    replies = await siti.press("✅ Pesan kursi")
    assert [m.text for m in replies if CONFIRMED in m.text and "terlambat" not in m.text]
    rows = await bot.services.outbox.all_messages()
    assert [m.status for m in rows if m.kind == notices.BOOKING_CONFIRMED] == ["sent"]
    await after_a_crash(bot)
    bot.clock.advance(hours=1)
    await bot.tick()
    assert count(siti, CONFIRMED) == 1


async def test_a_reply_that_fails_to_send_reaches_the_owner_once_from_the_outbox(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot)
    siti_id = await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    emulator.faults.add("502", method="sendDocument", chat_id=siti.id)
    await siti.press("✅ Pesan kursi")
    assert count(siti, CONFIRMED) == 0 and await booked_rows(bot, session.id) == [
        (siti_id, "confirmed")
    ]
    bot.clock.advance(seconds=2)  # the sender's first retry after a network error
    await bot.tick()
    assert count(siti, CONFIRMED) == 1
    assert [m.document[0] for m in siti.messages if m.document] == [f"sesi-{session.id}.ics"]
    bot.clock.advance(minutes=5)
    await bot.tick()
    assert count(siti, CONFIRMED) == 1


async def test_every_reply_about_a_committed_change_survives_a_crash(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    rina = emulator.user(1003, "Rina", language_code="id")
    first = await create_session(bot, "Sesi A", capacity=1)
    second = await create_session(
        bot, "Sesi B", starts_at=SATURDAY_9 + timedelta(days=1), capacity=1
    )
    ids = {}
    for user in (siti, budi, rina):
        ids[user.id] = await register_owner(
            bot, user.id, user.first_name, client_language=user.language_code
        )
        emulator.open_chat(user.id)
    siti_id, budi_id, rina_id = ids[siti.id], ids[budi.id], ids[rina.id]
    # Each change below commits, then the process dies before the handler replies.
    budi_seat = (await bot.services.booking.book(budi_id, first.id)).booking.id
    await after_a_crash(bot)
    assert count(budi, "Your seat is booked") == 1
    await bot.services.booking.book(siti_id, first.id)
    await after_a_crash(bot)
    assert count(siti, "daftar tunggu nomor 1") == 1
    await bot.services.booking.cancel(budi_id, budi_seat)
    await after_a_crash(bot)
    assert count(budi, "is cancelled") == 1 and count(siti, "Ada kursi kosong") == 1
    offer = (await bot.services.booking.current(siti_id))[0].booking.id
    await bot.services.booking.accept_offer(siti_id, offer)
    await after_a_crash(bot)
    assert count(siti, CONFIRMED) == 1 and "Sesi A" in siti.messages[-1].text
    moved = (await bot.services.booking.move(siti_id, offer, second.id)).booking.id
    await after_a_crash(bot)
    # the confirmation with its calendar file and map, then one removing Sesi A's entry
    assert count(siti, CONFIRMED) == 2 and "Sesi B" in siti.messages[-2].text
    assert "Kursi lama Anda di <b>Sesi A</b>" in (siti.messages[-2].html or "")
    await bot.services.booking.book(rina_id, second.id)
    await after_a_crash(bot)
    assert count(rina, "daftar tunggu nomor 1") == 1
    await bot.services.booking.cancel(siti_id, moved)
    await after_a_crash(bot)
    assert count(siti, "sudah dibatalkan") == 1 and count(rina, "Ada kursi kosong") == 1
    rina_offer = (await bot.services.booking.current(rina_id))[0].booking.id
    await bot.services.booking.decline_offer(rina_id, rina_offer)
    await after_a_crash(bot)
    assert count(rina, "peserta berikutnya") == 1
    for user, text in (
        (budi, "Your seat is booked"),
        (siti, "daftar tunggu nomor 1"),
        (budi, "is cancelled"),
        (rina, "daftar tunggu nomor 1"),
    ):
        assert count(user, text) == 1, (user, text)  # none of them was sent twice

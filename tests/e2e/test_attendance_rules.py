"""Attendance that agrees with itself (issue 12, item 2): once an owner is checked in, "I can't
come" is refused; a reminder does not ask again after "I'll be there" or a check-in; and
/kelas, /peserta, /statistik and the export count attendance the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.errors import BookingRefused
from simulator import BotApiEmulator, BotMessage, FakeUser
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.e2e.test_trainer import make_trainer
from tests.harness import FakeClock, RunningBot, settings_for

SATURDAY_7 = SATURDAY_9 - timedelta(hours=2)


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, database: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    """The bot with a reminder two hours and one minute before the start (as in the demo)."""
    settings = settings_for(emulator, database, DODOLAN_REMINDERS="2h,1m")
    async with RunningBot(settings, clock, emulator) as running:
        yield running


async def booked_with_trainer(
    bot: RunningBot, emulator: BotApiEmulator, owners: list[FakeUser]
) -> tuple[FakeUser, int]:
    """A session run by Pak Joko with these owners booked; return him and the session id."""
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await create_session(bot, "Judul produk yang dicari")
    await bot.services.sessions.change(session.id, {"trainer_id": await bot.user_id_of(joko.id)})
    for owner in owners:
        await owner.command("bantuan")
        owner_id = await register_owner(bot, owner.id, owner.first_name)
        await bot.services.booking.book(owner_id, session.id)
    return joko, session.id


async def check_in_by_qr(
    bot: RunningBot, joko: FakeUser, owner: FakeUser, session_id: int
) -> None:
    """The owner scans Pak Joko's QR code (check-in is open from 30 minutes before)."""
    _, code = await bot.services.attendance.checkin_code(await bot.user_id_of(joko.id), session_id)
    (reply,) = await owner.command("start", f"hadir-{code}")
    assert "sudah tercatat" in reply.text


def last_reminder(owner: FakeUser) -> BotMessage:
    return next(m for m in reversed(owner.messages) if "Pengingat sesi" in m.text)


async def status_of(bot: RunningBot, telegram_id: int) -> str:
    row = await bot.services.db.fetch_one(
        "SELECT status FROM bookings WHERE user_id = ?", (await bot.user_id_of(telegram_id),)
    )
    assert row is not None
    return str(row["status"])


async def test_after_check_in_the_reminder_does_not_ask_and_cannot_cancel_count_drop(
    bot: RunningBot, emulator: BotApiEmulator
) -> None:
    wati = emulator.user(1005, "Wati", language_code="id")
    joko, session_id = await booked_with_trainer(bot, emulator, [wati])
    (bookings,) = await wati.command("bookingsaya")  # her card, drawn before the check-in
    bot.clock.moment = SATURDAY_7
    await bot.tick()
    early = last_reminder(wati)
    assert early.buttons == [["✅ Saya hadir", "❌ Tidak bisa hadir"]]
    bot.clock.moment = SATURDAY_9 - timedelta(minutes=20)
    await check_in_by_qr(bot, joko, wati, session_id)
    seen = len(wati.messages)
    bot.clock.moment = SATURDAY_9 - timedelta(minutes=1)
    await bot.tick()
    assert len(wati.messages) == seen  # the 1-minute reminder does not ask her again
    rows = await bot.services.db.fetch_all(
        "SELECT status FROM outbox WHERE kind = 'reminder' ORDER BY due_at"
    )
    assert [r["status"] for r in rows] == ["sent", "skipped"]

    # "Can't come" on the earlier reminder, once she is in the room, is refused in a message.
    replies = await wati.press_on(early, "❌ Tidak bisa hadir")
    assert "sudah tercatat" in replies[-1].text and "tidak bisa dibatalkan" in replies[-1].text
    assert wati.toasts == []
    (now_shown,) = [m for m in wati.messages if m.message_id == early.message_id]
    assert now_shown.buttons == []  # nothing left to answer on that reminder
    # So is "Batalkan" on the card she had open, which now shows her attendance instead.
    replies = await wati.press_on(bookings, "❌ Batalkan booking")
    card, refusal = replies
    assert card.message_id == bookings.message_id and card.buttons == []
    assert "kehadiran sudah tercatat" in card.text and "tidak bisa dibatalkan" in refusal.text
    wati_id = await bot.user_id_of(wati.id)
    booking_id = (await bot.services.booking.current(wati_id))[0].booking.id
    await wati.press_data(f"bk:v1:cancel:{booking_id}")  # a forged "Ya, batalkan"
    assert "tidak bisa dibatalkan" in wati.last.text
    later = await create_session(bot, "Sesi lain", starts_at=SATURDAY_9 + timedelta(days=1))
    with pytest.raises(BookingRefused):
        await bot.services.booking.move(wati_id, booking_id, later.id)
    assert await status_of(bot, wati.id) == "confirmed"
    (mine,) = await wati.command("bookingsaya")
    assert "kehadiran sudah tercatat" in mine.text and mine.buttons == []
    (card,) = await joko.command("kelas")
    assert "Hadir: 1 dari 1" in card.text


async def test_after_saying_yes_the_next_reminder_does_not_ask_again(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    await booked_with_trainer(bot, emulator, [siti])
    bot.clock.moment = SATURDAY_7
    await bot.tick()
    await siti.press("✅ Saya hadir")
    bot.clock.moment = SATURDAY_9 - timedelta(minutes=1)
    await bot.tick()
    last = last_reminder(siti)
    assert last.buttons == [] and "bisa hadir?" not in last.text
    assert "sudah bilang akan hadir" in last.text and "mulai 1 menit lagi" in last.text
    assert await status_of(bot, siti.id) == "confirmed"


async def test_every_view_counts_attendance_with_the_same_rule(
    bot: RunningBot,
    emulator: BotApiEmulator,
    siti: FakeUser,
    budi: FakeUser,
    staff: FakeUser,
) -> None:
    rina = emulator.user(1003, "Rina", language_code="id")
    wati = emulator.user(1005, "Wati", language_code="id")
    joko, session_id = await booked_with_trainer(bot, emulator, [siti, budi, rina, wati])
    bot.clock.moment = SATURDAY_9 - timedelta(minutes=20)
    await check_in_by_qr(bot, joko, siti, session_id)  # by QR
    joko_id = await bot.user_id_of(joko.id)
    budi_id = await bot.user_id_of(budi.id)
    budi_booking = (await bot.services.booking.current(budi_id))[0].booking.id
    await bot.services.attendance.mark(joko_id, budi_booking, attended=True)  # ticked
    await check_in_by_qr(bot, joko, wati, session_id)
    async with bot.services.db.transaction() as tx:  # as the old bug left Wati: cancelled after
        await tx.execute(
            "UPDATE bookings SET status = 'cancelled' WHERE user_id = ?",
            (await bot.user_id_of(wati.id),),
        )

    (card,) = await joko.command("kelas")
    assert "Hadir: 2 dari 3" in card.text
    stats = "\n".join(m.text for m in await staff.command("statistik"))
    assert "• Judul produk yang dicari: hadir 2," in stats
    await staff.command("peserta")
    button = next(b for row in staff.last.buttons for b in row if "Judul" in b)
    participants = (await staff.press(button))[-1].text
    assert participants.count("✅ hadir") == 2 and "Rina · Usaha Rina · +6281200001003\n" in (
        participants + "\n"
    )
    services = bot.services
    export = await services.export_service().build()
    feedback = next(s for s in export.sheets if s.slug == "umpan-balik")
    assert [row[2] for row in feedback.rows if row[0] == session_id] == [2]
    headcount = await services.attendance.headcount(joko_id, session_id)
    assert (headcount.booked, headcount.attended) == (3, 2)

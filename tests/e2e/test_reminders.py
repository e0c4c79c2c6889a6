"""Reminders through the emulator, with a moved clock: times, changes, buttons, faults."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from handlers.telegram.delivery import send_now
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot

FRIDAY_8 = datetime.fromisoformat("2026-12-11T01:00:00+00:00")  # Friday 08.00 WIB
SATURDAY_7 = SATURDAY_9 - timedelta(hours=2)


async def outbox(bot: RunningBot, kind: str = "reminder") -> list[tuple[str, str]]:
    rows = await bot.services.db.fetch_all(
        "SELECT due_at, status FROM outbox WHERE kind = ? ORDER BY due_at, id", (kind,)
    )
    return [(r["due_at"], r["status"]) for r in rows]


async def book(bot: RunningBot, user: FakeUser, session_id: int) -> int:
    await user.command("bantuan")  # the owner has a chat with the bot
    user_id = await register_owner(
        bot, user.id, user.first_name, client_language=user.language_code
    )
    view = await bot.services.booking.book(user_id, session_id)
    assert bot.application is not None
    await send_now(bot.application, view.notice)  # the reply, as the booking handler sends it
    return view.booking.id


def reminders_in(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages if "Pengingat sesi" in m.text or "reminder" in m.text]


async def test_reminders_arrive_the_day_before_at_8_and_two_hours_before(
    bot: RunningBot, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    assert await outbox(bot) == [
        ("2026-12-11T01:00:00+00:00", "pending"),
        ("2026-12-12T00:00:00+00:00", "pending"),
    ]
    bot.clock.moment = FRIDAY_8 - timedelta(minutes=1)
    await bot.tick()
    assert reminders_in(siti) == []
    bot.clock.moment = FRIDAY_8
    await bot.tick()
    (first,) = reminders_in(siti)
    assert "Sabtu, 12 Desember 2026, 09.00–11.00 WIB" in first
    assert "Malang Creative Center" in first and "🗺 Buka peta" in first  # a link, not a URL
    assert "google.com/maps" in (siti.last.html or "") and "google.com" not in first
    assert "HP dengan baterai penuh" in first and "terlambat" not in first
    assert siti.last.buttons == [["✅ Saya hadir", "❌ Tidak bisa hadir"]]
    bot.clock.moment = SATURDAY_7
    await bot.tick()
    assert len(reminders_in(siti)) == 2
    await bot.tick()
    assert len(reminders_in(siti)) == 2  # never twice
    assert [s for _, s in await outbox(bot)] == ["sent", "sent"]


async def test_booking_on_the_morning_gets_no_tomorrow_reminder(
    bot: RunningBot, siti: FakeUser
) -> None:
    session = await create_session(bot)
    bot.clock.moment = SATURDAY_9 - timedelta(hours=3)  # 06.00 WIB, before the cut-off
    await book(bot, siti, session.id)
    assert await outbox(bot) == [("2026-12-12T00:00:00+00:00", "pending")]


async def test_cancelling_the_booking_cancels_its_reminders(
    bot: RunningBot, siti: FakeUser
) -> None:
    session = await create_session(bot)
    booking_id = await book(bot, siti, session.id)
    await bot.services.booking.cancel(await bot.user_id_of(siti.id), booking_id)
    assert [s for _, s in await outbox(bot)] == ["cancelled", "cancelled"]
    bot.clock.moment = SATURDAY_7
    await bot.tick()
    assert reminders_in(siti) == []


async def test_moving_the_session_recomputes_reminders_and_tells_the_owner(
    bot: RunningBot, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    later = SATURDAY_9 + timedelta(days=1)
    await bot.services.sessions.change(
        session.id, {"starts_at": later, "ends_at": later + timedelta(hours=2)}
    )
    assert await outbox(bot) == [
        ("2026-12-11T01:00:00+00:00", "cancelled"),
        ("2026-12-12T00:00:00+00:00", "cancelled"),
        ("2026-12-12T01:00:00+00:00", "pending"),
        ("2026-12-13T00:00:00+00:00", "pending"),
    ]
    await bot.tick()
    change = siti.messages[-2]  # the last is the updated calendar file
    assert "Ada perubahan" in change.text and "Sekarang: Minggu, 13 Desember 2026" in change.text


async def test_cancelling_the_session_cancels_reminders(bot: RunningBot, siti: FakeUser) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    await bot.services.sessions.cancel(session.id)
    assert [s for _, s in await outbox(bot)] == ["cancelled", "cancelled"]


async def test_a_waitlist_promotion_creates_reminders(
    bot: RunningBot, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(bot, capacity=1)
    budi_booking = await book(bot, budi, session.id)
    siti_booking = await book(bot, siti, session.id)
    assert len(await outbox(bot)) == 2  # budi's only
    await bot.services.booking.cancel(await bot.user_id_of(budi.id), budi_booking)
    await bot.services.booking.accept_offer(await bot.user_id_of(siti.id), siti_booking)
    assert [s for _, s in await outbox(bot)] == ["cancelled", "pending", "cancelled", "pending"]


async def test_reminder_buttons(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(bot, capacity=1)
    booking_id = await book(bot, siti, session.id)
    await book(bot, budi, session.id)  # waiting
    bot.clock.moment = FRIDAY_8
    await bot.tick()
    reminder = siti.last
    *_, thanks = await siti.press("✅ Saya hadir")
    assert thanks.text == "Terima kasih, kami catat Anda akan hadir. Sampai jumpa di sesi! 🙌"
    assert siti.toasts == [] and reminder.message_id != thanks.message_id  # a message, kept
    row = await bot.services.db.fetch_one(
        "SELECT will_attend_at FROM bookings WHERE id = ?", (booking_id,)
    )
    assert row is not None and row["will_attend_at"] is not None
    await budi.command("mybooking")
    await budi.press_data(reminder.button_data["❌ Tidak bisa hadir"])  # not budi's
    assert "no longer applies" in budi.last.text and "/mybooking" in budi.last.text
    await siti.press_data(reminder.button_data["❌ Tidak bisa hadir"])
    await siti.press("Ya, batalkan")
    await bot.tick()
    assert budi.last.has_button("✅ Take the seat")


async def test_the_trainer_is_reminded_with_the_number_of_participants(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    trainer = emulator.user(7001, "Pak Joko", language_code="id")
    await trainer.command("bantuan")  # has talked to the bot
    trainer_id = await bot.user_id_of(trainer.id)
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-30T00:00:00+00:00', 'Pak Joko')",
            (trainer_id,),
        )
    session = await create_session(bot)
    await bot.services.sessions.change(session.id, {"trainer_id": trainer_id})
    await book(bot, siti, session.id)
    bot.clock.moment = FRIDAY_8
    await bot.tick()
    assert "Pengingat untuk pelatih" in trainer.last.text
    assert "1 peserta terdaftar" in trainer.last.text
    (card,) = await siti.command("jadwal")
    assert "Pelatih: Pak Joko" in card.text


async def test_a_reminder_due_while_the_bot_was_down(bot: RunningBot, siti: FakeUser) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    await bot.stop()
    bot.clock.moment = FRIDAY_8 + timedelta(hours=3)  # the bot was down at 08.00
    await bot.start()
    await bot.tick()
    (late,) = reminders_in(siti)
    assert "terlambat" in late
    await bot.stop()
    bot.clock.moment = SATURDAY_9 + timedelta(minutes=5)  # down past the start: too late
    await bot.start()
    await bot.tick()
    assert len(reminders_in(siti)) == 1
    assert [s for _, s in await outbox(bot)] == ["sent", "skipped"]


async def test_blocked_owner_is_skipped_until_they_write_again(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    emulator.block(siti.id)
    bot.clock.moment = FRIDAY_8
    await bot.tick()
    assert await bot.services.users.unreachable() == [await bot.user_id_of(siti.id)]
    emulator.unblock(siti.id)
    await siti.command("bantuan")  # writes again: reachable
    assert await bot.services.users.unreachable() == []
    bot.clock.moment = SATURDAY_7
    await bot.tick()
    assert len(reminders_in(siti)) == 1
    assert [s for _, s in await outbox(bot)] == ["failed", "sent"]


async def test_a_blocked_owner_stays_skipped(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    emulator.block(siti.id)
    bot.clock.moment = SATURDAY_7
    await bot.tick()
    rows = await bot.services.db.fetch_all(
        "SELECT status, last_error FROM outbox WHERE kind = 'reminder' ORDER BY due_at"
    )
    assert [(r["status"], r["last_error"]) for r in rows] == [
        ("failed", "forbidden: Forbidden: bot was blocked by the user"),
        ("skipped", "unreachable"),
    ]


async def test_faults_lose_nothing_and_duplicate_nothing(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    bot.clock.moment = FRIDAY_8
    emulator.faults.add("500", method="sendMessage", chat_id=siti.id, times=2)
    await bot.tick()
    assert reminders_in(siti) == []
    for _ in range(2):
        bot.clock.advance(seconds=10)
        await bot.tick()
    emulator.faults.add("drop", method="sendMessage", chat_id=siti.id, times=1)
    emulator.faults.add("slow", method="sendMessage", chat_id=siti.id, delay=0.5)
    bot.clock.moment = SATURDAY_7
    await bot.tick()
    bot.clock.advance(seconds=10)
    await bot.tick()
    assert len(reminders_in(siti)) == 2
    assert [s for _, s in await outbox(bot)] == ["sent", "sent"]


async def test_a_429_is_honoured(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    bot.clock.moment = FRIDAY_8
    emulator.faults.add("429", method="sendMessage", chat_id=siti.id, times=1, retry_after=1)
    await bot.tick()  # the limiter waits retry_after and tries again
    assert len(reminders_in(siti)) == 1
    assert emulator.stats.too_many_requests >= 1


async def test_staff_see_unreachable_participants_and_the_outbox(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, staff: FakeUser
) -> None:
    session = await create_session(bot)
    await book(bot, siti, session.id)
    emulator.block(siti.id)
    bot.clock.moment = FRIDAY_8
    await bot.tick()
    replies = await staff.command("statistik")
    text = "\n".join(m.text for m in replies)
    assert "Peserta yang memblokir bot: 1" in text
    assert "• Siti (Foto produk pakai HP)" in text
    # sent: the booking confirmation, which is an outbox row like everything else it reports
    assert "Menunggu dikirim: 2 · terkirim: 1 · gagal: 1" in text


def test_outbox_command_reports_failed_and_unreachable(tmp_path: Path) -> None:
    import asyncio

    from tests.e2e.test_process import run_cli

    database = tmp_path / "dodolan.sqlite3"

    async def seed() -> None:
        from bot.app.container import Services
        from bot.app.settings import load_settings
        from tests.harness import FakeClock

        settings = load_settings({"DODOLAN_DATABASE": str(database)}, require_token=False)
        services = await Services.start(settings, FakeClock())
        try:
            await services.users.seen(42, "id")
            async with services.db.transaction() as tx:
                await services.outbox.enqueue(
                    tx, 42, "reminder", {"booking_id": 1}, FakeClock()(), FakeClock()()
                )
            (message,) = await services.outbox.claim_due(FakeClock()(), 10)
            await services.outbox.finish(message.id, "failed", FakeClock()(), error="forbidden")
            await services.users.blocked_the_bot(42)
        finally:
            await services.close()

    asyncio.run(seed())
    code, out, _ = run_cli(tmp_path, "outbox", DODOLAN_DATABASE=str(database))
    assert code == 0
    assert "failed          1  (reminder 1)" in out
    assert "#1 reminder to user 42 (attempts 1): forbidden" in out
    assert "Unreachable owners (blocked the bot): 1" in out

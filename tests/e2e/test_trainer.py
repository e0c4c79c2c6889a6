"""Trainers through the emulator: classes, check-in QR and link, tick list, follow-ups,
feedback; and what trainers must not be able to do."""

from __future__ import annotations

from datetime import timedelta

from simulator import BotApiEmulator, FakeUser
from storage.models import TrainingSession
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot


async def make_trainer(
    bot: RunningBot, emulator: BotApiEmulator, user_id: int, name: str
) -> FakeUser:
    trainer = emulator.user(user_id, name, language_code="id")
    await trainer.command("bantuan")
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-30T00:00:00+00:00', ?)",
            (user_id, name),
        )
    return trainer


async def class_with(
    bot: RunningBot, emulator: BotApiEmulator, trainer: FakeUser, owners: list[FakeUser]
) -> TrainingSession:
    session = await create_session(bot, "Judul produk yang dicari")
    await bot.services.sessions.change(session.id, {"trainer_id": trainer.id})
    for person in owners:
        await person.command("bantuan")
        await register_owner(bot, person.id, person.first_name)
        await bot.services.booking.book(person.id, session.id)
    return session


async def attended(bot: RunningBot, user_id: int) -> bool:
    row = await bot.services.db.fetch_one(
        "SELECT attended_at FROM bookings WHERE user_id = ?", (user_id,)
    )
    return bool(row and row["attended_at"])


async def test_classes_and_check_in_by_qr_link(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti])
    (card,) = await joko.command("kelas")
    assert "Judul produk yang dicari" in card.text and "Hadir: 0 dari 1" in card.text
    await joko.press("📱 QR absen")
    assert "30 menit sebelum" in joko.toasts[-1]  # Tuesday: too early
    bot.clock.moment = SATURDAY_9 - timedelta(minutes=20)
    replies = await joko.press("📱 QR absen")
    qr = replies[-1]
    assert qr.photo is not None and "start=hadir-" in qr.text
    code = qr.text.split("start=hadir-")[1].split()[0]
    (reply,) = await siti.command("start", f"hadir-{code}")
    assert "sudah tercatat" in reply.text and await attended(bot, siti.id)
    (again,) = await siti.command("start", f"hadir-{code}")
    assert "sudah tercatat sebelumnya" in again.text
    (stranger,) = await budi.command("start", f"hadir-{code}")
    assert "not booked" in stranger.text
    bot.clock.moment = SATURDAY_9 + timedelta(hours=3)
    (late,) = await siti.command("start", f"hadir-{code}")
    assert "30 menit sebelum" in late.text


async def test_tick_list(bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti])
    await joko.command("kelas")
    (roster,) = [m for m in await joko.press("📋 Absen") if m.buttons]
    assert roster.buttons == [["⬜ Siti · Usaha Siti"]]
    replies = await joko.press("⬜ Siti · Usaha Siti")
    assert replies[-1].buttons == [["✅ Siti · Usaha Siti"]] and await attended(bot, siti.id)
    await joko.press("✅ Siti · Usaha Siti")
    assert not await attended(bot, siti.id)


async def test_follow_up_to_attendees_only(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await class_with(bot, emulator, joko, [siti, budi])
    await joko.command("kelas")
    await joko.press("📋 Absen")
    await joko.press("⬜ Siti · Usaha Siti")
    await joko.press("📚 Materi ke yang hadir")
    await joko.send("Materi: contoh judul produk <30 huruf> & kata kunci")
    await joko.press("Lewati")
    replies = await joko.press("📤 Kirim sekarang")
    assert "Mengirim" in replies[-1].text
    await bot.tick()
    assert any("contoh judul produk <30 huruf>" in m.text for m in siti.messages)
    assert not any("contoh judul" in m.text for m in budi.messages)
    row = await bot.services.db.fetch_one(
        "SELECT kind, created_by, audience FROM broadcasts WHERE id = 1"
    )
    assert row is not None and (row["kind"], row["created_by"]) == ("followup", joko.id)
    assert f'"session_id": {session.id}' in row["audience"]


async def test_trainers_cannot_reach_other_sessions_or_everyone(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    rina = await make_trainer(bot, emulator, 7002, "Bu Rina")
    other = await class_with(bot, emulator, rina, [siti])
    (refusal,) = await joko.command("umumkan")
    assert "khusus untuk petugas" in refusal.text
    await joko.command("kelas")
    for data in (
        f"kl:v1:fu:{other.id}:booked",
        f"kl:v1:roster:{other.id}",
        f"kl:v1:qr:{other.id}",
    ):
        await joko.press_data(data)
        assert "khusus untuk petugas" in joko.toasts[-1], data
    booking = (await bot.services.booking.current(siti.id))[0].booking
    await joko.press_data(f"at:v1:{booking.id}")
    assert "khusus untuk petugas" in joko.toasts[-1]
    assert not await attended(bot, siti.id)
    assert await bot.services.dialogs.current(joko.id) is None


async def test_feedback_after_the_session(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await class_with(bot, emulator, joko, [siti])
    await joko.command("kelas")
    await joko.press("📋 Absen")
    await joko.press("⬜ Siti · Usaha Siti")
    bot.clock.moment = session.ends_at + timedelta(minutes=59)
    await bot.tick()
    assert not any("Beri bintang" in m.text for m in siti.messages)
    bot.clock.moment = session.ends_at + timedelta(hours=1)
    await bot.tick()
    assert "Bagaimana sesinya" in siti.last.text
    await siti.press("⭐⭐⭐⭐")
    (saved,) = await siti.send("Materinya jelas, <contoh> & praktiknya pas")
    assert "sudah kami terima" in saved.text
    (summary,) = [s for s in await bot.services.attendance.summary() if s.session_id == session.id]
    assert (summary.attended, summary.ratings, summary.average) == (1, 1, 4.0)
    comments = await bot.services.db.fetch_all("SELECT stars, comment FROM feedback")
    assert [tuple(r) for r in comments] == [(4, "Materinya jelas, <contoh> & praktiknya pas")]


async def test_staff_see_attendance_and_feedback(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser, staff: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await class_with(bot, emulator, joko, [siti, budi])
    booking = (await bot.services.booking.current(siti.id))[0].booking
    await bot.services.attendance.toggle(joko.id, booking.id)
    await bot.services.attendance.rate(siti.id, booking.id, 5)
    await bot.services.users.blocked_the_bot(budi.id)
    await staff.command("peserta")
    replies = await staff.press(next(b for row in staff.last.buttons for b in row if "Judul" in b))
    text = replies[-1].text
    assert "Siti · Usaha Siti · +6281200001001 · ✅ hadir" in text
    assert "Budi · Usaha Budi · +6281200001002 · 🚫 memblokir bot" in text
    stats = "\n".join(m.text for m in await staff.command("statistik"))
    assert f"• {session.title}: hadir 1, dinilai 1×, rata-rata ⭐ 5.0" in stats


async def test_scheduled_follow_up_the_next_morning(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti, budi])
    await joko.command("kelas")
    await joko.press("📚 Materi ke semua peserta")
    await joko.send("Rangkuman materi kemarin")
    await joko.press("Lewati")
    await joko.press("🕘 Jadwalkan")
    (reply,) = await joko.send("13-12-2026 08.00")
    assert "Minggu, 13 Desember 2026, 08.00 WIB" in reply.text and "2 orang" in reply.text
    await bot.restart()
    bot.clock.moment = SATURDAY_9 + timedelta(hours=22)  # Sunday 07.00 WIB
    await bot.tick()
    assert not any("Rangkuman" in m.text for m in siti.messages)
    bot.clock.moment = SATURDAY_9 + timedelta(hours=23)  # Sunday 08.00 WIB
    await bot.tick()
    assert any("Rangkuman materi kemarin" in m.text for m in siti.messages)
    assert any("Rangkuman materi kemarin" in m.text for m in budi.messages)

"""Trainers through the emulator: classes, check-in QR and link, tick list, follow-ups,
feedback; and what trainers must not be able to do."""

from __future__ import annotations

from datetime import timedelta

from bot.app.delivery import DeliveryRunner
from bot.core.models import TrainingSession
from handlers.telegram.delivery import SENDER_KEY
from simulator import BotApiEmulator, BotMessage, FakeUser
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
            (await bot.user_id_of(user_id), name),
        )
    return trainer


async def class_with(
    bot: RunningBot, emulator: BotApiEmulator, trainer: FakeUser, owners: list[FakeUser]
) -> TrainingSession:
    session = await create_session(bot, "Judul produk yang dicari")
    await bot.services.sessions.change(
        session.id, {"trainer_id": await bot.user_id_of(trainer.id)}
    )
    for person in owners:
        await person.command("bantuan")
        owner_id = await register_owner(bot, person.id, person.first_name)
        await bot.services.booking.book(owner_id, session.id)
    return session


async def attended(bot: RunningBot, telegram_id: int) -> bool:
    row = await bot.services.db.fetch_one(
        "SELECT attended_at FROM bookings WHERE user_id = ?",
        (await bot.user_id_of(telegram_id),),
    )
    return bool(row and row["attended_at"])


async def test_classes_and_check_in_by_qr_link(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti])
    (card,) = await joko.command("kelas")
    assert "Judul produk yang dicari" in card.text and "Hadir: 0 dari 1" in card.text
    assert "🧑‍🏫 Pelatih: Anda" in card.text and "Pak Joko" not in card.text
    await joko.press("📱 QR absen")
    assert "30 menit sebelum" in joko.last.text  # Tuesday: too early (a message that stays)
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
    assert row is not None
    assert (row["kind"], row["created_by"]) == ("followup", await bot.user_id_of(joko.id))
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
    booking = (await bot.services.booking.current(await bot.user_id_of(siti.id)))[0].booking
    await joko.press_data(f"at:v1:{booking.id}:1")
    assert "khusus untuk petugas" in joko.toasts[-1]
    await joko.press_data(f"at:v1:{booking.id}")  # the old, stateless form: stale
    assert "tidak berlaku" in joko.last.text and "/kelas" in joko.last.text
    assert not await attended(bot, siti.id)
    assert await bot.services.dialogs.current(await bot.user_id_of(joko.id)) is None


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
    question = siti.last
    await siti.press("⭐⭐⭐⭐")
    rated = siti.last
    assert rated.message_id == question.message_id  # the question shows the answer
    assert "Bagaimana sesinya" in rated.text and "Nilai Anda: ⭐⭐⭐⭐ —" in rated.text
    assert [label for row in rated.buttons for label in row] == ["Lewati"]
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
    siti_id, budi_id, joko_id = [await bot.user_id_of(p.id) for p in (siti, budi, joko)]
    booking = (await bot.services.booking.current(siti_id))[0].booking
    await bot.services.attendance.mark(joko_id, booking.id, attended=True)
    await bot.services.attendance.rate(siti_id, booking.id, 5)
    await bot.services.users.blocked_the_bot(budi_id)
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


REFUSED = "Maaf, fitur ini khusus untuk petugas atau pelatih program."


async def revoke(staff: FakeUser, name: str) -> None:
    """Staff revoke a trainer through /pelatih, as they would."""
    await staff.command("pelatih")
    await staff.press(f"Cabut {name}")
    await staff.press("Ya, cabut")
    assert "sudah dicabut" in staff.last.text


async def booking_of(bot: RunningBot, telegram_id: int) -> int:
    return (await bot.services.booking.current(await bot.user_id_of(telegram_id)))[0].booking.id


async def stored_state(bot: RunningBot) -> dict[str, list[tuple[object, ...]]]:
    """Everything a trainer's button could change."""
    queries = {
        "bookings": "SELECT id, status, attended_at FROM bookings ORDER BY id",
        "sessions": "SELECT id, trainer_id, checkin_code FROM training_sessions ORDER BY id",
        "broadcasts": "SELECT id, kind, status FROM broadcasts ORDER BY id",
        "outbox": "SELECT id, user_id, kind, status, due_at FROM outbox ORDER BY id",
        "feedback": "SELECT booking_id, stars, comment FROM feedback ORDER BY booking_id",
    }
    return {
        name: [tuple(row) for row in await bot.services.db.fetch_all(sql)]
        for name, sql in queries.items()
    }


def shows_anyone(replies: list[BotMessage], names: tuple[str, ...]) -> bool:
    """Whether any reply's text or buttons name one of ``names``, or is a photo (the QR)."""
    for reply in replies:
        labels = [reply.text, *(label for row in reply.buttons for label in row)]
        if reply.photo is not None or any(n in label for n in names for label in labels):
            return True
    return False


async def test_revoked_trainer_buttons_change_nothing_and_show_nobody(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser, staff: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await class_with(bot, emulator, joko, [siti, budi])
    bot.clock.moment = SATURDAY_9 - timedelta(minutes=20)  # check-in is open
    await joko.command("kelas")
    await joko.press("📋 Absen")
    await joko.press("⬜ Siti · Usaha Siti")
    await joko.press("📚 Materi ke yang hadir")
    await joko.send("Materi: judul produk")  # a follow-up half written
    await revoke(staff, "Pak Joko")
    before = await stored_state(bot)

    (reply,) = await joko.send("Materi lagi")
    assert reply.text == REFUSED
    replies: list[BotMessage] = []
    for label in (
        "✅ Siti · Usaha Siti",
        "⬜ Budi · Usaha Budi",
        "📋 Absen",
        "📱 QR absen",
        "📚 Materi ke yang hadir",
        "📚 Materi ke semua peserta",
        "Lewati",
    ):
        replies += await joko.press(label)
        assert joko.toasts[-1] == REFUSED, label
    sid, siti_booking, budi_booking = (
        session.id,
        *[await booking_of(bot, p.id) for p in (siti, budi)],
    )
    for data in (
        f"at:v1:{siti_booking}:0",
        f"at:v1:{budi_booking}:1",
        f"kl:v1:roster:{sid}",
        f"kl:v1:qr:{sid}",
        f"kl:v1:fu:{sid}:booked",
        f"pp:v1:{sid}",
        "bc:v1:btndone",
        "bc:v1:send",
    ):
        replies += await joko.press_data(data)
        assert joko.toasts[-1] == REFUSED, data
    for command in ("kelas", "peserta", "riwayat"):
        (reply,) = await joko.command(command)
        assert reply.text == REFUSED, command

    assert await stored_state(bot) == before
    assert before["sessions"] == [(session.id, None, None)]  # no trainer now, and no QR code
    assert not shows_anyone(replies, ("Siti", "Budi", "Usaha"))
    assert await attended(bot, siti.id) and not await attended(bot, budi.id)
    await bot.tick()
    assert "Hak pelatih Anda di program ini sudah dicabut" in joko.last.text
    assert "Judul produk yang dicari" in joko.last.text  # the session he no longer runs
    menu = dict(emulator.commands("chat", chat_id=joko.id))
    assert "daftar" in menu and "kelas" not in menu


async def test_a_revoked_trainers_file_is_refused_and_not_kept(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, staff: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti])
    await joko.command("kelas")
    await joko.press("📚 Materi ke semua peserta")  # a follow-up begun
    await revoke(staff, "Pak Joko")

    replies = await joko.send_document("materi.pdf", b"%PDF-1.4 materi", "application/pdf")
    assert [r.text for r in replies] == [REFUSED]
    assert await bot.services.db.fetch_all("SELECT sha256 FROM stored_files") == []


async def test_a_file_sent_for_a_dropped_draft_is_deleted_by_the_periodic_work(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti])
    await joko.command("kelas")
    await joko.press("📚 Materi ke semua peserta")
    await joko.send_document("materi.pdf", b"%PDF-1.4 materi", "application/pdf")
    # the draft is dropped, never sent
    await bot.services.dialogs.end(await bot.user_id_of(joko.id))
    assert bot.application is not None
    runner = bot.application.bot_data[SENDER_KEY]
    assert isinstance(runner, DeliveryRunner)
    await runner.safety_tick()
    assert len(await bot.services.db.fetch_all("SELECT sha256 FROM stored_files")) == 1

    bot.clock.moment += timedelta(days=1, minutes=1)
    await runner.safety_tick()
    assert await bot.services.db.fetch_all("SELECT sha256 FROM stored_files") == []


async def test_revoked_trainer_cannot_tick_a_class_that_is_over(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, staff: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await class_with(bot, emulator, joko, [siti])
    bot.clock.moment = session.ends_at + timedelta(hours=1)
    await joko.command("kelas")
    await joko.press("📋 Absen")
    await revoke(staff, "Pak Joko")
    over = await bot.services.sessions.get(session.id)
    # the records keep who ran it
    assert over is not None and over.trainer_id == await bot.user_id_of(joko.id)
    replies = await joko.press("⬜ Siti · Usaha Siti")
    assert joko.toasts[-1] == REFUSED and not await attended(bot, siti.id)
    replies += await joko.press("📋 Absen")
    assert joko.toasts[-1] == REFUSED
    assert not shows_anyone(replies, ("Siti", "Usaha"))


async def feedback_question(bot: RunningBot, booking_id: int) -> list[tuple[object, ...]]:
    rows = await bot.services.db.fetch_all(
        "SELECT id, status, due_at FROM outbox WHERE ref = ? ORDER BY id",
        (f"feedback:{booking_id}",),
    )
    return [tuple(r) for r in rows]


async def attended_at(bot: RunningBot, booking_id: int) -> object:
    row = await bot.services.db.fetch_one(
        "SELECT attended_at FROM bookings WHERE id = ?", (booking_id,)
    )
    assert row is not None
    return row["attended_at"]


async def test_a_stale_tick_sets_what_the_button_showed_and_double_taps_change_nothing(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti])
    booking = await booking_of(bot, siti.id)
    bot.clock.moment = SATURDAY_9 - timedelta(minutes=20)
    await joko.command("kelas")
    qr = (await joko.press("📱 QR absen"))[-1]
    code = qr.text.split("start=hadir-")[1].split()[0]
    (roster,) = [m for m in await joko.press("📋 Absen") if m.buttons]
    assert roster.buttons == [["⬜ Siti · Usaha Siti"]]
    await siti.command("start", f"hadir-{code}")  # checked in while the list shows ⬜
    checked_in = (await attended_at(bot, booking), await feedback_question(bot, booking))
    assert checked_in[0] is not None and [s for _, s, _ in checked_in[1]] == ["pending"]

    replies = await joko.press("⬜ Siti · Usaha Siti")
    assert replies[-1].buttons == [["✅ Siti · Usaha Siti"]]
    assert "Sudah tercatat hadir" in joko.toasts[-1]
    assert (await attended_at(bot, booking), await feedback_question(bot, booking)) == checked_in
    await joko.press_data(roster.button_data["⬜ Siti · Usaha Siti"])  # the same tap again
    assert (await attended_at(bot, booking), await feedback_question(bot, booking)) == checked_in
    assert joko.messages[-1].buttons == [["✅ Siti · Usaha Siti"]]

    unticked = await joko.press("✅ Siti · Usaha Siti")
    assert unticked[-1].buttons == [["⬜ Siti · Usaha Siti"]] and not await attended(bot, siti.id)
    await joko.press_data(f"at:v1:{booking}:0")  # a double tap of ✅
    assert not await attended(bot, siti.id)
    assert [s for _, s, _ in await feedback_question(bot, booking)] == ["cancelled"]


async def test_several_classes_are_one_list_and_a_revoked_trainer_opens_none(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, staff: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    await class_with(bot, emulator, joko, [siti])
    second = await create_session(
        bot, "Foto <produk> & cahaya", starts_at=SATURDAY_9 + timedelta(days=7)
    )
    await bot.services.sessions.change(second.id, {"trainer_id": await bot.user_id_of(joko.id)})
    (listing,) = await joko.command("kelas")
    labels = [label for row in listing.buttons for label in row]
    assert len(labels) == 2 and "Foto <produk> & cahaya" in listing.text
    (card,) = await joko.press(labels[1])
    assert "Foto <produk> & cahaya" in card.text and card.has_button("📋 Absen")
    await revoke(staff, "Pak Joko")
    replies = await joko.press_on(listing, labels[0])
    assert not shows_anyone(replies, ("Judul produk", "Siti"))


async def test_a_trainer_with_many_classes_turns_pages_and_a_revoked_one_cannot(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    for n in range(12):
        start = SATURDAY_9 + timedelta(days=n)
        session = await create_session(bot, f"Kelas {n + 1:02d}", starts_at=start)
        await bot.services.sessions.change(
            session.id, {"trainer_id": await bot.user_id_of(joko.id)}
        )
    (listing,) = await joko.command("kelas")
    assert "Halaman 1 dari 2" in listing.text and "Kelas 11" not in listing.text
    await joko.press("Berikutnya ▶️")
    page = next(m for m in joko.messages if m.message_id == listing.message_id)
    assert "Kelas 11" in page.text and "Kelas 12" in page.text and "Kelas 01" not in page.text
    await revoke(staff, "Pak Joko")
    replies = await joko.press_on(page, "◀️ Sebelumnya")
    after = next(m for m in joko.messages if m.message_id == listing.message_id)
    assert "Kelas 01" not in after.text and not shows_anyone(replies, ("Kelas 0",))

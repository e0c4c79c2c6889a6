"""Owners on WhatsApp check in by scanning, rate the session, and read tips, end to end."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.whatsapp.test_owner_booking_support import (
    BUDI,
    SITI,
    BookingHarness,
    booking_running,
)


async def _booked_and_open_for_check_in(b: BookingHarness) -> tuple[int, str]:
    """Siti's seat in a session starting in 20 minutes; its id and the trainer's check-in link."""
    session = await b.session("Foto Produk Pakai HP", timedelta(days=1))
    siti = await b.owner(SITI, "Siti")
    await siti.say("jadwal")
    await siti.tap("✅ Pesan kursi")
    b.h.clock.advance(hours=23, minutes=40)
    _, code = await b.h.services.attendance.checkin_code(await b.staff_id(), session.id)
    return session.id, f"https://wa.me/{b.h.emu.display_phone_number}?text=HADIR-{code}"


async def test_scanning_the_trainers_link_checks_the_owner_in_once(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session_id, link = await _booked_and_open_for_check_in(b)
        siti = b.h.person(SITI, name="Siti")
        (done,) = await siti.scan(link)
        assert done.text == (
            "✅ Terima kasih, kehadiran Anda di *Foto Produk Pakai HP* sudah tercatat. "
            "Selamat belajar!"
        )
        (again,) = await siti.scan(link)
        assert again.text.startswith("Kehadiran Anda di *Foto Produk Pakai HP* sudah tercatat")
        (row,) = await b.booking_rows(session_id)
        assert row["attended_at"] is not None

        budi = await b.owner(BUDI, "Budi")
        (not_booked,) = await budi.scan(link)
        assert not_booked.text.startswith("Anda tidak terdaftar di sesi ini")
        (unknown,) = await budi.say("HADIR-tidakada123")
        assert unknown.text.startswith("Kode absen itu tidak dikenal.")
        b.h.emu.assert_no_violations()


async def test_after_the_session_the_owner_gives_stars_and_a_comment(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session_id, link = await _booked_and_open_for_check_in(b)
        siti = b.h.person(SITI, name="Siti")
        await siti.scan(link)
        b.h.clock.advance(hours=3, minutes=30)  # the session ended, plus the feedback delay
        await b.drain()

        question = siti.last
        assert question.text.startswith("🙏 Terima kasih sudah ikut *Foto Produk Pakai HP*!")
        assert question.row_titles == ["⭐", "⭐⭐", "⭐⭐⭐", "⭐⭐⭐⭐", "⭐⭐⭐⭐⭐"]
        (thanks,) = await siti.pick("⭐⭐⭐⭐")
        assert thanks.text.startswith(
            "Nilai Anda: ⭐⭐⭐⭐ — terima kasih!"
        ) and thanks.titles == ["Lewati"]
        (photo,) = await siti.send_image()
        assert photo.text.startswith("Maaf, saya perlu jawaban berupa tulisan")
        assert photo.titles == ["Lewati"]
        (saved,) = await siti.say("Bagus & <mantap>, tambah sesi lagi")
        assert saved.text == "Komentar Anda sudah kami terima. Terima kasih! 🙌"
        row = await b.h.services.db.fetch_one(
            "SELECT stars, comment FROM feedback WHERE booking_id = ?",
            ((await b.booking_rows(session_id))[0]["id"],),
        )
        assert row is not None
        assert (row["stars"], row["comment"]) == (4, "Bagus & <mantap>, tambah sesi lagi")
        (stale,) = await siti.tap_on(thanks, "Lewati")  # the comment step is over
        assert stale.text.startswith("Tombol itu dari pesan lama")
        (forged,) = await siti.tap_forged("fb:v1:99999:5")
        assert forged.text.startswith("Tombol itu dari pesan lama")
        (again,) = await siti.pick_on(question, "⭐⭐")  # a new rating, and no comment this time
        (skipped,) = await siti.tap_on(again, "Lewati")
        assert skipped.text == "Oke, terima kasih atas nilainya! 🙏"
        assert await b.h.services.dialogs.current(await b.user_id(siti)) is None
        b.h.emu.assert_no_violations()


async def test_a_tip_its_feedback_and_the_daily_tips_settings(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        siti = await b.owner(SITI, "Siti")
        (tip,) = await siti.say("tips")
        assert tip.text.startswith("💡 *Tips jualan · ")
        assert tip.row_titles == [
            "👍 Bermanfaat",
            "👎 Kurang membantu",
            "💡 Tip lain",
            "📚 Pilih topik",
        ]
        (thanks,) = await siti.pick("👍 Bermanfaat")
        assert thanks.text == "Terima kasih, masukan Anda kami catat."
        (topics,) = await siti.pick_on(tip, "📚 Pilih topik")
        assert topics.text.startswith("Mau tips tentang apa?")
        assert "Foto produk" in topics.text  # 13 topics: a numbered menu
        (photos,) = await siti.say("2")
        assert photos.text.startswith("💡 *Tips jualan · Foto produk*")

        (daily,) = await siti.say("tips harian")
        assert daily.text.startswith("*Tips harian*")
        assert daily.titles == ["🌅 Pagi, 07.00 WIB", "☀️ Siang, 12.00 WIB", "🌙 Malam, 19.00 WIB"]
        (active,) = await siti.tap("🌅 Pagi, 07.00 WIB")
        assert active.text.startswith("*Tips harian: aktif*")
        assert "Sabtu, 12 Desember 2026" in active.text
        (paused,) = await siti.pick("⏸ Jeda tips harian")
        assert paused.text.startswith("*Tips harian: dijeda*")
        (forged,) = await siti.tap_forged("tp:v1:fy:no-such-tip")
        assert forged.text.startswith("Tombol itu dari pesan lama")
        b.h.emu.assert_no_violations()


async def test_a_code_that_starts_with_a_dash_checks_in_too(tmp_path: Path) -> None:
    # token_urlsafe codes start with "-" or "_" one time in 32; the separator after HADIR
    # must not swallow it (this failed at random, about 3% of runs).
    async with booking_running(tmp_path) as b:
        session_id, _ = await _booked_and_open_for_check_in(b)
        async with b.h.services.db.transaction() as tx:
            await tx.execute(
                "UPDATE training_sessions SET checkin_code = '-Ab3_x9Qz1' WHERE id = ?",
                (session_id,),
            )
        siti = b.h.person(SITI, name="Siti")
        number = b.h.emu.display_phone_number
        (done,) = await siti.scan(f"https://wa.me/{number}?text=HADIR--Ab3_x9Qz1")
        assert done.text.startswith("✅ Terima kasih, kehadiran Anda")


async def test_new_check_in_codes_are_letters_and_digits_only(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        session = await b.session("Foto Produk Pakai HP", timedelta(minutes=20))
        staff_id = await b.staff_id()
        codes = set()
        for _ in range(40):
            async with b.h.services.db.transaction() as tx:
                await tx.execute("UPDATE training_sessions SET checkin_code = NULL")
            codes.add((await b.h.services.attendance.checkin_code(staff_id, session.id))[1])
        assert len(codes) == 40 and all(code.isalnum() and len(code) >= 12 for code in codes)

"""Staff announcements through the emulator: audiences, preview, send, schedule, stop, report."""

from __future__ import annotations

from datetime import timedelta

from simulator import BotApiEmulator, BotMessage, FakeUser
from storage.broadcasts import Audience
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot


async def owner(
    bot: RunningBot, emulator: BotApiEmulator, user_id: int, name: str, **profile: str
) -> FakeUser:
    person = emulator.user(user_id, name, language_code="id")
    emulator.open_chat(user_id)
    await register_owner(bot, user_id, name, **profile)
    return person


def after_intro(replies: list[BotMessage]) -> BotMessage:
    """The preview: the message right after "Pratinjau ..."."""
    index = next(i for i, m in enumerate(replies) if m.text.startswith("👀 Pratinjau"))
    return replies[index + 1]


async def received(bot: RunningBot, people: list[FakeUser], text: str) -> set[int]:
    await bot.tick()
    return {p.id for p in people if any(text in m.text for m in p.messages)}


async def test_each_audience_reaches_exactly_the_right_owners(
    bot: RunningBot, emulator: BotApiEmulator
) -> None:
    a = await owner(bot, emulator, 2001, "Ani", kecamatan="klojen", category="kuliner")
    b = await owner(bot, emulator, 2002, "Bayu", kecamatan="sukun", category="fashion")
    c = await owner(bot, emulator, 2003, "Citra", kecamatan="klojen", category="fashion")
    d = await owner(bot, emulator, 2004, "Dewi", kecamatan="blimbing", category="jasa")
    session = await create_session(bot, capacity=2)
    for person in (a, b, c):
        await bot.services.booking.book(person.id, session.id)  # c goes to the waitlist
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE bookings SET attended_at = '2026-12-12T02:10:00+00:00' WHERE user_id = ?",
            (a.id,),
        )
    expected = {
        Audience("all"): {a.id, b.id, c.id, d.id},
        Audience("booked", session.id): {a.id, b.id},
        Audience("waitlist", session.id): {c.id},
        Audience("attended", session.id): {a.id},
        Audience("missed", session.id): {b.id},
        Audience("not_booked"): {d.id},
        Audience("all", kecamatan=("klojen",)): {a.id, c.id},
        Audience("all", category=("fashion",)): {b.id, c.id},
        Audience("all", kecamatan=("klojen",), category=("fashion",)): {c.id},
        Audience("booked", session.id, kecamatan=("sukun", "klojen")): {a.id, b.id},
    }
    for audience, who in expected.items():
        assert set((await bot.services.broadcasts.count(audience)).reachable) == who, audience


async def test_staff_compose_preview_and_send_by_buttons(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani", kecamatan="klojen")
    bayu = await owner(bot, emulator, 2002, "Bayu", kecamatan="sukun")
    citra = await owner(bot, emulator, 2003, "Citra", kecamatan="klojen")
    await staff.command("umumkan")
    replies = await staff.press("👥 Semua pemilik terdaftar")
    assert "<b>3</b>" in (replies[-1].html or "") and "3 orang" in replies[-1].text
    await staff.press("📍 Kecamatan")
    await staff.press("Klojen")
    replies = await staff.press("Selesai")
    assert "2 orang" in replies[-1].text and "kecamatan Klojen" in replies[-1].text
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send("Pelatihan <foto> & video diundur ke Sabtu")
    await staff.send("Info lengkap | https://diskopindag.malangkota.go.id/info")
    replies = await staff.press("Selesai")
    preview = after_intro(replies)
    assert preview.text == "Pelatihan <foto> & video diundur ke Sabtu"
    assert preview.buttons == [["Info lengkap"]]
    assert "2</b> orang" in (replies[-1].html or "")
    replies = await staff.press("📤 Kirim sekarang")
    assert "Mengirim pengumuman" in replies[-1].text and replies[-1].has_button("⏹ Hentikan")
    assert await received(bot, [ani, bayu, citra], "Pelatihan <foto>") == {ani.id, citra.id}
    delivered = next(m for m in ani.messages if "Pelatihan" in m.text)
    assert (delivered.text, delivered.buttons, delivered.button_data) == (
        preview.text,
        preview.buttons,
        preview.button_data,
    )
    status = next(m for m in staff.messages if "Laporan pengumuman" in m.text)
    assert "Terkirim: 2 · gagal: 0" in status.text and "(selesai)" in status.text
    assert not status.buttons


async def test_a_photo_announcement(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send_photo(caption="Contoh foto produk yang terang")
    preview = after_intro(await staff.press("Lewati"))
    assert preview.photo is not None and preview.text == "Contoh foto produk yang terang"
    await staff.press("📤 Kirim sekarang")
    await bot.tick()
    assert ani.last.photo == preview.photo and ani.last.text == preview.text


async def test_scheduled_announcement_survives_a_restart_and_can_be_cancelled(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani")
    for text in ("Besok ada pasar UMKM", "Pengumuman yang dibatalkan"):
        await staff.command("umumkan")
        await staff.press("👥 Semua pemilik terdaftar")
        await staff.press("✍️ Lanjut tulis pesan")
        await staff.send(text)
        await staff.press("Lewati")
        await staff.press("🕘 Jadwalkan")
        (reply,) = await staff.send("12-12-2026 07.00")
        assert "Sabtu, 12 Desember 2026, 07.00 WIB" in reply.text
    await bot.restart()
    history = await staff.command("riwayat")
    await staff.press(next(b for m in history for row in m.buttons for b in row if "#2" in b))
    await bot.tick()
    assert not any("pasar UMKM" in m.text for m in ani.messages)  # not yet
    bot.clock.moment = SATURDAY_9 - timedelta(hours=2)
    await bot.tick()
    assert [m.text for m in ani.messages] == ["Besok ada pasar UMKM"]


async def test_stop_cancels_what_was_not_sent(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    people = [await owner(bot, emulator, 2001 + i, f"Pemilik {i}") for i in range(5)]
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send("Info penting")
    await staff.press("Lewati")
    await staff.press("📤 Kirim sekarang")
    replies = await staff.press("⏹ Hentikan")
    assert "(dihentikan)" in replies[-1].text and "dihentikan: 5" in replies[-1].text
    assert await received(bot, people, "Info penting") == set()


async def test_opted_out_and_blocked_owners_are_skipped_and_counted(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani")
    bayu = await owner(bot, emulator, 2002, "Bayu")
    citra = await owner(bot, emulator, 2003, "Citra")
    (reply,) = await ani.command("berhenti")
    assert "/mulai" in reply.text
    await bot.services.users.blocked_the_bot(bayu.id)
    await staff.command("umumkan")
    replies = await staff.press("👥 Semua pemilik terdaftar")
    assert "Tidak termasuk 1 yang mematikan pengumuman dan 1 yang memblokir bot" in (
        replies[-1].text
    )
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send("Halo semua")
    await staff.press("Lewati")
    await staff.press("📤 Kirim sekarang")
    assert await received(bot, [ani, bayu, citra], "Halo semua") == {citra.id}
    report = next(m for m in staff.messages if "Laporan" in m.text)
    assert "Tidak dikirim karena mematikan pengumuman: 1" in report.text
    await ani.command("mulai")
    assert await bot.services.broadcasts.wants_announcements(ani.id)


async def test_owners_cannot_announce_and_forged_buttons_change_nothing(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser, siti: FakeUser
) -> None:
    await owner(bot, emulator, 2001, "Ani")
    (refusal,) = await siti.command("umumkan")
    assert "khusus untuk petugas" in refusal.text
    await staff.command("umumkan")
    for data in ("bc:v1:base:all", "bc:v1:send", "bc:v1:stop:1", "bc:v1:unsched:1"):
        await siti.press_data(data)
        assert "khusus untuk petugas" in siti.toasts[-1] or "tidak berlaku" in siti.toasts[-1]
    rows = await bot.services.db.fetch_all("SELECT * FROM broadcasts")
    assert rows == []
    dialog = await bot.services.dialogs.current(staff.id)
    assert dialog is not None and dialog.step == "audience"  # the staff's draft is untouched

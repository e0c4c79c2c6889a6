"""Staff announcements through the emulator: audiences, preview, send, schedule, stop, report."""

from __future__ import annotations

from datetime import timedelta

from simulator import BotApiEmulator, BotMessage, FakeUser
from simulator.ratelimit import is_limited_method
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


HEADER = "📣 Pengumuman Dinas · Diskopindag Kota Malang"
FOOTER = "/berhenti untuk berhenti menerima pengumuman"


def announced(text: str) -> str:
    """An announcement as an Indonesian-speaking owner reads it."""
    return f"{HEADER}\n\n{text}\n\n{FOOTER}"


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
    ids = {person: await bot.user_id_of(person.id) for person in (a, b, c, d)}
    session = await create_session(bot, capacity=2)
    for person in (a, b, c):
        await bot.services.booking.book(ids[person], session.id)  # c goes to the waitlist
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE bookings SET attended_at = '2026-12-12T02:10:00+00:00' WHERE user_id = ?",
            (ids[a],),
        )
    expected = {
        Audience("all"): {ids[a], ids[b], ids[c], ids[d]},
        Audience("booked", session.id): {ids[a], ids[b]},
        Audience("waitlist", session.id): {ids[c]},
        Audience("attended", session.id): {ids[a]},
        Audience("missed", session.id): {ids[b]},
        Audience("not_booked"): {ids[d]},
        Audience("all", kecamatan=("klojen",)): {ids[a], ids[c]},
        Audience("all", category=("fashion",)): {ids[b], ids[c]},
        Audience("all", kecamatan=("klojen",), category=("fashion",)): {ids[c]},
        Audience("booked", session.id, kecamatan=("sukun", "klojen")): {ids[a], ids[b]},
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
    assert preview.text == announced("Pelatihan <foto> & video diundur ke Sabtu")
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
    assert preview.photo is not None
    assert preview.text == announced("Contoh foto produk yang terang")
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
    assert [m.text for m in ani.messages] == [announced("Besok ada pasar UMKM")]


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
    await bot.services.users.blocked_the_bot(await bot.user_id_of(bayu.id))
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
    assert await bot.services.broadcasts.wants_announcements(await bot.user_id_of(ani.id))


async def test_owners_cannot_announce_and_forged_buttons_change_nothing(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser, siti: FakeUser
) -> None:
    await owner(bot, emulator, 2001, "Ani")
    (refusal,) = await siti.command("umumkan")
    assert "khusus untuk petugas" in refusal.text
    await staff.command("umumkan")
    for data in ("bc:v1:base:all", "bc:v1:send", "bc:v1:stop:1", "bc:v1:unsched:1"):
        await siti.press_data(data)
        assert "khusus untuk petugas" in siti.toasts[-1] or "pesan lama" in siti.toasts[-1]
    rows = await bot.services.db.fetch_all("SELECT * FROM broadcasts")
    assert rows == []
    dialog = await bot.services.dialogs.current(await bot.user_id_of(staff.id))
    assert dialog is not None and dialog.step == "audience"  # the staff's draft is untouched


async def test_a_message_typed_once_the_audience_is_chosen_is_the_message(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani")
    await staff.command("umumkan")
    (picker,) = await staff.press("👥 Semua pemilik terdaftar")
    assert "langsung kirim pesannya" in picker.text
    replies = await staff.send("Pasar UMKM hari Sabtu di Balai Kota")  # no "write" tap first
    assert "Mau tambah tombol link?" in replies[-1].text and replies[-1].has_button("Lewati")
    stale = next(m for m in staff.messages if m.message_id == picker.message_id)
    assert stale.buttons == []  # the audience question is answered; its buttons are gone
    preview = after_intro(await staff.press("Lewati"))
    assert preview.text == announced("Pasar UMKM hari Sabtu di Balai Kota")
    await staff.press("📤 Kirim sekarang")
    assert await received(bot, [ani], "Pasar UMKM") == {ani.id}


async def test_a_message_typed_before_the_audience_is_kept_and_the_buttons_shown(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    await owner(bot, emulator, 2001, "Ani")
    (first,) = await staff.command("umumkan")
    *_, kept, picker = await staff.send("Besok ada pasar UMKM")
    assert "Pesannya saya simpan" in kept.text
    assert picker.has_button("👥 Semua pemilik terdaftar")  # the buttons are right below
    assert next(m for m in staff.messages if m.message_id == first.message_id).buttons == []
    replies = await staff.press("👥 Semua pemilik terdaftar")
    assert replies[-1].has_button("➡️ Lanjut dengan pesan tadi")
    replies = await staff.press("➡️ Lanjut dengan pesan tadi")
    assert any("yang tadi Anda kirim" in m.text for m in replies)
    assert replies[-1].has_button("Lewati")
    preview = after_intro(await staff.press("Lewati"))
    assert preview.text == announced("Besok ada pasar UMKM")
    replies = await staff.send("kirim")  # typed at the preview: the choices again, below
    assert replies[-1].has_button("📤 Kirim sekarang") and replies[-1].has_button("✖ Batal")


async def test_announcements_say_who_sends_them_and_how_to_stop_them_in_each_language(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani")
    budi = emulator.user(2002, "Budi", language_code="en")
    emulator.open_chat(budi.id)
    await register_owner(bot, budi.id, "Budi", client_language="en")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.send("Pasar UMKM Sabtu")
    await staff.press("Lewati")
    await staff.press("📤 Kirim sekarang")
    await bot.tick()
    assert ani.last.text == announced("Pasar UMKM Sabtu")
    assert "<b>Pengumuman Dinas</b>" in (ani.last.html or "")
    assert budi.last.text == (
        "📣 Announcement from the Dinas · Diskopindag Kota Malang\n\nPasar UMKM Sabtu\n\n"
        "/unsubscribe to stop receiving announcements"
    )


async def test_a_caption_too_long_with_the_header_and_footer_is_refused_before_sending(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    await owner(bot, emulator, 2001, "Ani")
    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    staff_id = await bot.user_id_of(staff.id)
    (refusal,) = await staff.send_photo(caption="x" * 1000)
    assert "terlalu panjang" in refusal.text and "dipersingkat sekitar" in refusal.text
    assert (await bot.services.dialogs.current(staff_id)).step == "message"  # type: ignore[union-attr]
    await staff.send_photo(caption="x" * 900)
    assert (await bot.services.dialogs.current(staff_id)).step == "buttons"  # type: ignore[union-attr]


def limited_calls(emulator: BotApiEmulator, chat_id: int, since: int) -> list[str]:
    """The rate-limited calls (send*, edit*) made to one chat since call number ``since``."""
    return [
        c.method
        for c in emulator.calls[since:]
        if is_limited_method(c.method) and str(c.params.get("chat_id")) == str(chat_id)
    ]


async def costs_of(
    emulator: BotApiEmulator, staff: FakeUser, labels: list[str]
) -> dict[str, list[str]]:
    """Tap each button in turn; return the limited calls each tap cost."""
    costs: dict[str, list[str]] = {}
    for label in labels:
        mark = len(emulator.calls)
        await staff.press(label)
        costs[label] = limited_calls(emulator, staff.id, mark)
    return costs


async def test_each_button_step_of_umumkan_edits_its_own_message_and_keeps_the_answer(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    ani = await owner(bot, emulator, 2001, "Ani", kecamatan="klojen")
    session = await create_session(bot)
    await bot.services.booking.book(await bot.user_id_of(ani.id), session.id)
    await staff.command("umumkan")
    picker = staff.last
    audience = ["🎟 Peserta sesi…", "12/12 · Foto produk pakai HP", "📍 Kecamatan", "Klojen"]
    costs = await costs_of(emulator, staff, [*audience, "Selesai", "✍️ Lanjut tulis pesan"])
    asked = next(m for m in staff.messages if m.message_id == picker.message_id)
    assert asked.text.startswith(
        "📣 Penerima: peserta Foto produk pakai HP · kecamatan Klojen (1 orang) ✓\n\n✍️ Kirim"
    )
    assert asked.buttons == []
    await staff.send("Materi pekan depan")
    costs |= await costs_of(emulator, staff, ["Lewati"])
    intro = next(m for m in staff.messages if m.text.startswith("👀 Pratinjau"))
    assert intro.buttons == []  # the link-button question, answered in place
    costs |= await costs_of(emulator, staff, ["🕘 Jadwalkan"])
    assert "Kirim: 🕘 Jadwalkan ✓\n\nKapan dikirim?" in staff.last.text
    assert {label: len(calls) for label, calls in costs.items()} == {
        **dict.fromkeys(audience, 1),
        "Selesai": 1,
        "✍️ Lanjut tulis pesan": 1,
        "Lewati": 3,  # the preview is its own message, exactly as delivered, then the choices
        "🕘 Jadwalkan": 1,
    }, costs


async def test_going_on_with_a_kept_message_sending_and_cancelling_cost_one_call_each(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    await owner(bot, emulator, 2001, "Ani")
    await staff.command("umumkan")
    await staff.send("Besok ada pasar UMKM")
    labels = ["👥 Semua pemilik terdaftar", "➡️ Lanjut dengan pesan tadi"]
    costs = await costs_of(emulator, staff, labels)
    assert staff.last.text.startswith("📣 Penerima: semua pemilik terdaftar (1 orang) ✓\n\n")
    await staff.press("Lewati")
    costs |= await costs_of(emulator, staff, ["📤 Kirim sekarang"])
    assert "Mengirim pengumuman" in staff.last.text and staff.last.has_button("⏹ Hentikan")
    await staff.command("umumkan")
    costs |= await costs_of(emulator, staff, ["👥 Semua pemilik terdaftar", "✖ Batal"])
    assert "dibatalkan" in staff.last.text and staff.last.buttons == []
    assert await bot.services.dialogs.current(await bot.user_id_of(staff.id)) is None
    assert {label: len(calls) for label, calls in costs.items()} == dict.fromkeys(
        [*labels, "📤 Kirim sekarang", "✖ Batal"], 1
    ), costs

"""Staff create sessions in chat (/sesibaru) and manage them (/sesi) through the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simulator import BotApiEmulator, BotMessage, FakeUser
from simulator.ratelimit import is_limited_method
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot


async def _step(bot: RunningBot, staff: FakeUser) -> str | None:
    dialog = await bot.services.dialogs.current(await bot.user_id_of(staff.id))
    return dialog.step if dialog else None


async def test_staff_creates_a_venue_session_surviving_a_restart(
    bot: RunningBot, staff: FakeUser
) -> None:
    await staff.command("sesibaru")
    assert "Judul sesinya" in staff.last.text
    await staff.send("Foto produk <pakai> HP & lampu")
    assert staff.last.has_button("12/12") and not staff.last.has_button("01/12")
    await staff.press("12/12")
    await staff.send("09.00-11.00")
    assert staff.last.buttons == [["Tempat (alamat)", "Online (link)"]]
    await staff.press("Tempat (alamat)")
    await bot.restart()  # the conversation lives in SQLite
    await staff.send("Aula Dinas Koperasi")
    await staff.send("Jl. Panji Suroso No. 18")
    assert staff.last.has_button("Lewati")
    await staff.send_location(-7.98, 112.63)
    assert staff.last.buttons == [["10", "20", "30"]]
    await staff.press("20")
    await staff.press("Belum ada")
    summary = (await staff.press("Default: 2 jam sebelum mulai"))[-1]
    assert "Sabtu, 12 Desember 2026, 09.00–11.00 WIB" in summary.text
    assert "Foto produk &lt;pakai&gt; HP &amp; lampu" in (summary.html or "")
    assert "Titik peta: -7.98000, 112.63000" in summary.text
    created = (await staff.press("✅ Simpan"))[-1]
    (session,) = await bot.services.sessions.all()
    assert f"https://t.me/DodolanBot?start=sesi-{session.code}" in created.text
    assert "wa.me" not in created.text and "WhatsApp" not in created.text  # not set up here
    assert "Terisi 0 dari 20 kursi" in created.text
    assert session.title == "Foto produk <pakai> HP & lampu"
    assert session.starts_at == datetime(2026, 12, 12, 2, 0, tzinfo=UTC)
    assert session.cutoff_at == datetime(2026, 12, 12, 0, 0, tzinfo=UTC)
    assert (session.venue_name, session.latitude, session.capacity) == (
        "Aula Dinas Koperasi",
        -7.98,
        20,
    )
    assert session.trainer_id is None and await _step(bot, staff) is None


async def test_online_session_with_typed_date_trainer_and_cutoff(
    bot: RunningBot, staff: FakeUser
) -> None:
    await bot.services.users.seen(7001, "id")
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (7001, 'trainer', 'invite', '2026-11-01T00:00:00+00:00', 'Pak Andi')"
        )
    await staff.command("sesibaru")
    await staff.send("Jualan di TikTok Shop")
    await staff.send("15/12/2026")
    await staff.send("13:00–15:00")
    await staff.press("Online (link)")
    await staff.send("https://meet.google.com/abc-defg-hij")
    await staff.send("15")
    await staff.press("Pak Andi")
    await staff.send("24")
    assert "Pelatih:</b> Pak Andi" in (staff.last.html or "")
    await staff.press("✅ Simpan")
    (session,) = await bot.services.sessions.all()
    assert session.online_url == "https://meet.google.com/abc-defg-hij"
    assert session.venue_name is None and session.trainer_id == 7001
    assert session.cutoff_at == datetime(2026, 12, 14, 6, 0, tzinfo=UTC)


async def test_every_wrong_answer_is_refused_with_an_example(
    bot: RunningBot, staff: FakeUser
) -> None:
    await staff.command("sesibaru")
    refusals = [
        ("🙂🙂🙂", "bukan hanya emoji", "title"),
        ("Foto produk", None, "date"),
        ("tanggal dua belas", "<code>12-12-2026</code>", "date"),
        ("31-02-2026", "31-02-2026 tidak ada di kalender", "date"),
        ("30-11-2026", "sudah lewat", "date"),
        ("12-12-2026", None, "time"),
        ("jam sembilan", "<code>09.00-11.00</code>", "time"),
        ("11.00-09.00", "harus setelah jam mulai", "time"),
        ("09.00-11.00", None, "place"),
        ("di aula", "pilih salah satu tombol", "place"),
    ]
    for typed, expected, step in refusals:
        replies = await staff.send(typed)
        if expected:
            assert expected in (replies[0].html or ""), typed
        assert await _step(bot, staff) == step, typed
    await staff.send_photo()
    assert await _step(bot, staff) == "place"
    await staff.press("Online (link)")
    (refusal,) = await staff.send("meet.google.com/abc")
    assert "diawali https://" in refusal.text and await _step(bot, staff) == "online_url"
    await staff.send("https://meet.google.com/abc")
    (refusal,) = await staff.send("banyak")
    assert "angka saja" in refusal.text
    (refusal,) = await staff.send("1000")
    assert "antara 1 dan 500" in refusal.text and await _step(bot, staff) == "capacity"
    await staff.send("25")
    await staff.send("siapa saja")
    assert await _step(bot, staff) == "trainer"
    await staff.press("Belum ada")
    (refusal,) = await staff.send("200")
    assert "0 sampai 168" in refusal.text and await _step(bot, staff) == "cutoff"
    await staff.press("Default: 2 jam sebelum mulai")
    await staff.press("Batal")
    assert "tidak disimpan" in staff.last.text
    assert await bot.services.sessions.all() == [] and await _step(bot, staff) is None


async def test_stale_date_button_from_an_earlier_step_changes_nothing(
    bot: RunningBot, staff: FakeUser
) -> None:
    await staff.command("sesibaru")
    await staff.send("Foto produk")
    await staff.send("12-12-2026")
    await staff.press_data("ns:v1:date:2026-12-13")
    assert staff.toasts[-1].startswith("Tombol itu dari pesan lama, jadi tidak saya pakai")
    dialog = await bot.services.dialogs.current(await bot.user_id_of(staff.id))
    assert dialog is not None and dialog.data["date"] == "2026-12-12"


async def _to_summary(staff: FakeUser, title: str = "Foto produk") -> None:
    await staff.command("sesibaru")
    await staff.send(title)
    await staff.send("12-12-2026 09.00-11.00")  # date and time on one line, as /sesi takes
    assert await staff.press("Tempat (alamat)")
    await staff.send("Aula Dinas Koperasi")
    await staff.send("Jl. Panji Suroso No. 18")
    await staff.press("Lewati")
    await staff.press("20")
    await staff.press("Belum ada")
    await staff.press("Default: 2 jam sebelum mulai")


async def test_the_summary_lets_staff_fix_one_field_and_come_back(
    bot: RunningBot, staff: FakeUser
) -> None:
    await _to_summary(staff)
    summary = staff.last
    assert "Sabtu, 12 Desember 2026, 09.00–11.00 WIB" in summary.text
    assert summary.buttons == [
        ["✏️ Judul", "✏️ Waktu"],
        ["✏️ Tempat", "✏️ Kapasitas"],
        ["✏️ Pelatih", "✏️ Batas daftar"],
        ["✅ Simpan", "Batal"],
    ]
    await staff.press("✏️ Waktu")
    assert "Tanggal berapa?" in staff.last.text and not summary_has_buttons(staff, summary)
    await staff.press("13/12")
    replies = await staff.send("13:00 - 15:30")
    assert "Cek dulu sesi barunya" in replies[-1].text  # straight back, not on to the place
    assert "Minggu, 13 Desember 2026, 13.00–15.30 WIB" in replies[-1].text
    assert "Aula Dinas Koperasi" in replies[-1].text and "20 orang" in replies[-1].text
    await staff.press("✏️ Kapasitas")
    replies = await staff.press("30")
    assert "30 orang" in replies[-1].text and replies[-1].has_button("✅ Simpan")
    await staff.press("✏️ Judul")
    await staff.send("Foto produk & video")
    await staff.press("✅ Simpan")
    (session,) = await bot.services.sessions.all()
    assert (session.title, session.capacity, session.venue_name) == (
        "Foto produk & video",
        30,
        "Aula Dinas Koperasi",
    )
    assert session.starts_at == datetime(2026, 12, 13, 6, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 12, 13, 8, 30, tzinfo=UTC)


def summary_has_buttons(staff: FakeUser, summary: BotMessage) -> bool:
    """Whether the summary message still shows its buttons."""
    current = next(m for m in staff.messages if m.message_id == summary.message_id)
    return bool(current.buttons)


async def test_a_change_of_time_takes_the_forms_a_new_session_takes(
    bot: RunningBot, staff: FakeUser
) -> None:
    await _booked_session(bot, owners=1)
    await staff.command("sesi")
    await staff.press("🕘 Ubah waktu")
    prompt = staff.last.html or ""
    assert "sekarang Sabtu, 12 Desember 2026, 09.00–11.00 WIB" in staff.last.text
    for example in ("13-12-2026 09.00-11.00", "13:00 - 15:30", "13-12-2026"):
        assert f"<code>{example}</code>" in prompt
    (preview,) = await staff.send("13:00 - 15:30")  # only the time: the date stays
    assert "Sekarang: Sabtu, 12 Desember 2026, 13.00–15.30 WIB" in preview.text
    replies = await staff.press("✅ Simpan dan kabari")
    assert "Perubahan tersimpan" in replies[0].text
    assert "Sabtu, 12 Desember 2026, 13.00–15.30 WIB" in replies[-1].text
    await staff.press("🕘 Ubah waktu")
    (preview,) = await staff.send("13-12-2026")  # only the date: the times stay
    assert "Sekarang: Minggu, 13 Desember 2026, 13.00–15.30 WIB" in preview.text
    replies = await staff.press("✅ Simpan dan kabari")
    assert "Minggu, 13 Desember 2026, 13.00–15.30 WIB" in replies[-1].text
    await staff.press("🕘 Ubah waktu")
    (refusal,) = await staff.send("besok sore")
    assert "<code>13:00 - 15:30</code>" in (refusal.html or "")
    assert await _step(bot, staff) == "time"


async def _booked_session(bot: RunningBot, owners: int = 3, capacity: int = 30) -> int:
    session = await create_session(bot, capacity=capacity)
    for n in range(owners):
        owner_id = await register_owner(bot, 2001 + n, f"Pemilik {n}")
        await bot.services.booking.book(owner_id, session.id)
    return session.id


async def test_changing_time_and_place_notifies_those_booked(
    bot: RunningBot, staff: FakeUser
) -> None:
    session_id = await _booked_session(bot)
    await staff.command("sesi")
    assert "Terisi 3 dari 30 kursi" in staff.last.text
    await staff.press("🕘 Ubah waktu")
    assert "Waktu baru" in staff.last.text
    await staff.send("13-12-2026 13.00-15.00")
    replies = await staff.press("✅ Simpan dan kabari")
    assert "Perubahan tersimpan" in replies[0].text
    assert "Minggu, 13 Desember 2026, 13.00–15.00 WIB" in replies[-1].text
    changed = [m for m in await bot.services.outbox.all_messages() if m.kind == "session_changed"]
    owners = sorted([await bot.user_id_of(telegram_id) for telegram_id in (2001, 2002, 2003)])
    assert sorted(m.user_id for m in changed) == owners
    assert "starts_at" in changed[0].params["changes"]
    await staff.press("📍 Ubah tempat")
    await staff.send("Balai Kota Malang\nJl. Tugu No. 1")
    await staff.press("✅ Simpan dan kabari")
    session = await bot.services.sessions.get(session_id)
    assert session is not None and session.venue_name == "Balai Kota Malang"
    assert session.latitude is None
    changed = [m for m in await bot.services.outbox.all_messages() if m.kind == "session_changed"]
    assert len(changed) == 6 and "venue_name" in changed[-1].params["changes"]


async def test_capacity_below_booked_is_refused_with_the_numbers(
    bot: RunningBot, staff: FakeUser
) -> None:
    session_id = await _booked_session(bot)
    await staff.command("sesi")
    await staff.press("👥 Ubah kapasitas")
    (refusal,) = await staff.send("2")
    assert refusal.text == (
        "Kapasitas tidak bisa 2: sudah ada 3 orang yang terdaftar. Tulis angka minimal 3."
    )
    session = await bot.services.sessions.get(session_id)
    assert session is not None and session.capacity == 30
    await staff.send("3")
    session = await bot.services.sessions.get(session_id)
    assert session is not None and session.capacity == 3


async def test_close_reopen_and_cancel_after_confirming(bot: RunningBot, staff: FakeUser) -> None:
    session_id = await _booked_session(bot, owners=2)
    await staff.command("sesi")
    await staff.press("🔒 Tutup pendaftaran")
    assert "pendaftaran ditutup" in staff.last.text and staff.last.has_button("🔓 Buka lagi")
    session = await bot.services.sessions.get(session_id)
    assert session is not None and session.status == "closed"
    await staff.press("🔓 Buka lagi")
    session = await bot.services.sessions.get(session_id)
    assert session is not None and session.status == "open"
    await staff.press("❌ Batalkan sesi")
    assert "2 peserta terdaftar akan diberi tahu" in staff.last.text
    await staff.press("Tidak jadi")
    assert "tetap berjalan" in staff.last.text
    session = await bot.services.sessions.get(session_id)
    assert session is not None and session.status == "open"
    await staff.press("❌ Batalkan sesi")
    await staff.press("Ya, batalkan sesi ini")
    assert "dibatalkan" in staff.last.text
    session = await bot.services.sessions.get(session_id)
    assert session is not None and session.status == "cancelled"
    cancelled = [
        m for m in await bot.services.outbox.all_messages() if m.kind == "session_cancelled"
    ]
    assert len(cancelled) == 2
    await staff.press_data(f"sa:v1:cancelyes:{session_id}")
    assert "dibatalkan atau tidak ada lagi" in staff.toasts[-1]


async def test_english_staff_see_english(bot: RunningBot, staff: FakeUser) -> None:
    staff_id = await bot.user_id_of(staff.id)
    await bot.services.users.seen(staff_id, "id")
    await bot.services.users.set_language(staff_id, "en")
    await staff.command("newsession")
    assert "What is the session called?" in staff.last.text
    await staff.send("Product photos")
    await staff.send("12/12/2026")
    (refusal,) = await staff.send("9 to 11")
    assert "<code>09:00-11:00</code>" in (refusal.html or "")
    await staff.send("09:00-11:00")
    assert staff.last.buttons == [["Venue (address)", "Online (link)"]]


def _limited(emulator: BotApiEmulator, since: int) -> list[str]:
    """The rate-limited Bot API methods the bot called since call ``since``."""
    return [c.method for c in emulator.calls[since:] if is_limited_method(c.method)]


async def test_each_tapped_answer_shows_in_its_question_with_one_limited_call(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    calls: dict[str, list[str]] = {}

    async def tap(label: str) -> BotMessage:
        mark = len(emulator.calls)
        await staff.press(label)
        calls[label] = _limited(emulator, mark)
        return staff.last

    await staff.command("sesibaru")
    await staff.send("Foto produk")
    asked = await tap("12/12")
    assert asked.text.startswith("Tanggal: Sabtu, 12 Desember 2026 ✓\n\nJam berapa")
    await staff.send("09.00-11.00")
    asked = await tap("Tempat (alamat)")
    assert asked.text.startswith("Tempat: di lokasi ✓\n\nNama tempatnya?")
    await staff.send("Aula Dinas Koperasi")
    await staff.send("Jl. Panji Suroso No. 18")
    await tap("Lewati")
    asked = await tap("20")
    assert "Kapasitas: <b>20</b> ✓" in (asked.html or "") and asked.has_button("Belum ada")
    await tap("Belum ada")
    summary = await tap("Default: 2 jam sebelum mulai")
    assert summary.text.startswith(
        "Titik peta: dilewati ✓\nKapasitas: 20 ✓\nPelatih: Belum ada ✓\n"
        "Batas daftar: 2 jam sebelum mulai (default) ✓\n\nCek dulu sesi barunya"
    )
    assert summary.has_button("✅ Simpan")
    created = await tap("✅ Simpan")
    assert created.message_id == summary.message_id and "Sesi tersimpan" in created.text
    assert created.buttons == []
    assert calls == {label: ["editMessageText"] for label in calls}


async def test_many_sessions_are_one_message_with_a_button_to_open_each(
    bot: RunningBot, staff: FakeUser, siti: FakeUser
) -> None:
    for n in range(5):
        await create_session(bot, f"Kelas <{n}> & foto")
    replies = await staff.command("sesi")
    assert len(replies) == 1  # one message, not one paced card a second
    (listing,) = replies
    assert "Kelas <4> & foto" in listing.text and "&lt;4&gt; &amp;" in (listing.html or "")
    labels = [label for row in listing.buttons for label in row]
    assert len(labels) == 5 and labels[2].startswith("3 · ")
    (card,) = await staff.press(labels[2])
    assert "Kelas <2> & foto" in card.text and card.has_button("🕘 Ubah waktu")
    await siti.command("bantuan")
    forged = await siti.press_data(listing.button_data[labels[0]])
    assert not any("Kelas <0>" in m.text for m in forged)  # an owner opens nothing


async def test_forty_sessions_with_long_titles_are_a_list_in_pages(
    bot: RunningBot, staff: FakeUser, siti: FakeUser
) -> None:
    for n in range(40):
        title = f"Sesi {n + 1:02d}: " + "Belajar jualan di marketplace & media sosial " * 2
        await create_session(bot, title[:119], starts_at=SATURDAY_9 + timedelta(hours=n))
    (listing,) = await staff.command("sesi")  # was "Maaf, ada gangguan" (over 4,096 chars)
    labels = [label for row in listing.buttons for label in row]
    assert labels[0].startswith("1 · ") and labels[9].startswith("10 · ")
    assert labels[-1] == "Berikutnya ▶️" and "Halaman 1 dari 4" in listing.text
    await staff.press("Berikutnya ▶️")
    page = next(m for m in staff.messages if m.message_id == listing.message_id)
    labels = [label for row in page.buttons for label in row]
    assert labels[0].startswith("11 · ") and labels[-2:] == ["◀️ Sebelumnya", "Berikutnya ▶️"]
    (card,) = await staff.press(labels[4])
    assert "Sesi 15:" in card.text and card.has_button("🕘 Ubah waktu")
    await siti.command("bantuan")
    forged = await siti.press_data(page.button_data["Berikutnya ▶️"])
    assert not any("Sesi 2" in m.text for m in forged)  # an owner turns no page

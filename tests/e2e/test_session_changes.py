"""A changed, cancelled or left session is told to everyone it touches, with calendar files.

Staff see who will be told before they confirm; owners (booked, offered, waiting) and the
trainer hear "was → now"; those holding a seat get a .ics with the booking confirmation's
UID and a higher SEQUENCE, so their saved calendar entry follows (or goes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar

from bot.core.notices import ChannelName
from bot.services import notices
from bot.services.sessions import SessionDraft
from simulator import BotApiEmulator, BotMessage, FakeUser
from simulator.ratelimit import is_limited_method
from tests import itip
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import STAFF_ID, RunningBot

ANDI = 7001
WHO = (
    "2 peserta terdaftar, 1 peserta yang sedang ditawari kursi, 1 peserta di daftar tunggu "
    "dan pelatih (Pak Andi)"
)
WAS = "Dulu: Sabtu, 12 Desember 2026, 09.00–11.00 WIB"
NOW = "➡️ Sekarang: Minggu, 13 Desember 2026, 13.00–15.00 WIB"
SUNDAY_13 = datetime(2026, 12, 13, 6, 0, tzinfo=UTC)


@dataclass
class People:
    """A session run by Pak Andi: Siti and Budi booked, Dewi offered a seat, Eko waiting."""

    session_id: int
    siti: FakeUser
    budi: FakeUser
    dewi: FakeUser
    eko: FakeUser
    andi: FakeUser
    booked_calendar: icalendar.Event  # the file Siti got with her booking confirmation


def event_of(message: BotMessage, method: str) -> icalendar.Event:
    """The one event of a calendar file the bot sent, checking its METHOD."""
    assert message.document is not None, message.text
    calendar = icalendar.Calendar.from_ical(message.document[2])
    assert calendar["METHOD"] == method
    assert itip.check(message.document[2]).method == method  # a valid iTIP message
    (event,) = calendar.walk("VEVENT")
    return event


def texts(user: FakeUser, since: int = 0) -> list[str]:
    return [m.text for m in user.messages[since:]]


async def _session_with_people(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> People:
    andi = emulator.user(ANDI, "Andi", language_code="id")
    emulator.open_chat(ANDI)
    andi_id = (await bot.services.users.arrived(ChannelName.TELEGRAM, str(ANDI), "id")).id
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-01T00:00:00+00:00', 'Pak Andi')",
            (andi_id,),
        )
    draft = SessionDraft(
        title="Foto produk pakai HP",
        starts_at=SATURDAY_9,
        ends_at=SATURDAY_9 + timedelta(hours=2),
        capacity=3,
        venue_name="Malang Creative Center",
        venue_address="Jl. A. Yani No. 53, Blimbing",
        trainer_id=andi_id,
    )
    session = await bot.services.sessions.create(draft, created_by=await bot.user_id_of(STAFF_ID))
    for user in (siti, budi):
        await register_owner(bot, user.id, user.first_name, client_language=user.language_code)
    await siti.command("jadwal")
    replies = await siti.press("✅ Pesan kursi")
    booked = event_of(next(m for m in replies if m.document), "REQUEST")
    await budi.command("sessions")
    await budi.press("✅ Book a seat")
    others = [emulator.user(1003 + n, name) for n, name in enumerate(("Rina", "Dewi", "Eko"))]
    ids, seats = [], []
    for user in others:
        emulator.open_chat(user.id)
        ids.append(await register_owner(bot, user.id, user.first_name))
        seats.append((await bot.services.booking.book(ids[-1], session.id)).booking.id)
    await bot.services.booking.cancel(ids[0], seats[0])  # Dewi is offered Rina's seat
    await bot.tick()
    return People(session.id, siti, budi, others[1], others[2], andi, booked)


async def test_staff_see_who_will_be_told_before_a_new_time_is_saved(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser, siti: FakeUser, budi: FakeUser
) -> None:
    people = await _session_with_people(bot, emulator, siti, budi)
    await staff.command("sesi")
    await staff.press("🕘 Ubah waktu")
    (first,) = await staff.send("14-12-2026 13.00-15.00")
    assert "Sekarang: Senin, 14 Desember 2026, 13.00–15.00 WIB" in first.text
    earlier, preview = await staff.send("13-12-2026 13.00-15.00")  # a second thought
    assert earlier.message_id == first.message_id and earlier.buttons == []  # can't be saved
    assert "Cek dulu perubahannya" in preview.text
    assert WAS in preview.text and NOW in preview.text
    assert f"📣 {WHO} akan diberi tahu." in preview.text
    assert preview.buttons == [["✅ Simpan dan kabari", "✖ Jangan ubah"]]
    session = await bot.services.sessions.get(people.session_id)
    assert session is not None and session.starts_at == SATURDAY_9  # nothing saved yet
    rows = await bot.services.outbox.all_messages()
    assert not [m for m in rows if m.kind == notices.SESSION_CHANGED]
    await siti.press_data(f"sa:v1:apply:{people.session_id}")  # an owner forging the tap
    assert "khusus untuk petugas" in siti.toasts[-1]
    await staff.press("✖ Jangan ubah")
    assert "tidak diubah" in staff.last.text and staff.last.buttons == []
    await staff.press("🕘 Ubah waktu")
    await staff.send("13-12-2026 13.00-15.00")
    saved, card = await staff.press("✅ Simpan dan kabari")
    assert "Perubahan tersimpan" in saved.text and NOW in saved.text and saved.buttons == []
    assert f"📣 {WHO} sedang kami kabari." in saved.text
    assert "Minggu, 13 Desember 2026, 13.00–15.00 WIB" in card.text
    session = await bot.services.sessions.get(people.session_id)
    assert session is not None and session.starts_at == SUNDAY_13 and session.sequence == 1
    told = [m for m in await bot.services.outbox.all_messages() if m.kind == "session_changed"]
    assert sorted(m.user_id for m in told) == sorted(
        [await bot.user_id_of(u.id) for u in (siti, budi, people.dewi, people.eko, people.andi)]
    )


async def test_everyone_hears_was_and_now_and_seat_holders_get_a_calendar_update(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    people = await _session_with_people(bot, emulator, siti, budi)
    seen = {u.id: len(u.messages) for u in (siti, budi, people.dewi, people.eko, people.andi)}
    await bot.services.sessions.change(
        people.session_id, {"starts_at": SUNDAY_13, "ends_at": SUNDAY_13 + timedelta(hours=2)}
    )
    await bot.tick()
    change, calendar = siti.messages[seen[siti.id] :]
    assert "Ada perubahan pada sesi Anda" in change.text
    assert WAS in change.text and NOW in change.text
    assert "Kursi Anda tetap aman" in change.text
    assert "Penuh" not in change.text and "daftar tunggu" not in change.text
    event = event_of(calendar, "REQUEST")
    assert event["UID"] == people.booked_calendar["UID"]
    assert event.decoded("SEQUENCE") == 1 > people.booked_calendar.decoded("SEQUENCE")
    assert event.decoded("DTSTART") == SUNDAY_13 and str(event["STATUS"]) == "CONFIRMED"
    english, _ = budi.messages[seen[budi.id] :]
    assert "Was: Saturday, 12 December 2026, 09:00–11:00 WIB" in english.text
    assert "Now: Sunday, 13 December 2026, 13:00–15:00 WIB" in english.text
    (offered,) = texts(people.dewi, seen[people.dewi.id])
    assert NOW in offered and "tetap ditahan untuk Anda sampai" in offered
    (waiting,) = texts(people.eko, seen[people.eko.id])
    assert NOW in waiting and "daftar tunggu nomor 1" in waiting
    trainer, trainer_calendar = people.andi.messages[seen[ANDI] :]
    assert "sesi yang Anda latih" in trainer.text and NOW in trainer.text
    # the trainer's entry is the session's own, hers the booking's
    assert str(event_of(trainer_calendar, "REQUEST")["UID"]) == f"sesi-{people.session_id}@dodolan"


async def test_a_new_place_is_told_as_was_and_now_with_a_calendar_update(
    bot: RunningBot, staff: FakeUser, siti: FakeUser
) -> None:
    await create_session(bot)
    await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    replies = await siti.press("✅ Pesan kursi")
    booked = event_of(next(m for m in replies if m.document), "REQUEST")
    seen = len(siti.messages)
    await staff.command("sesi")
    await staff.press("📍 Ubah tempat")
    (preview,) = await staff.send("Aula Dinas Koperasi & UKM\nJl. Panji Suroso No. 18")
    assert "Dulu: Malang Creative Center, Jl. A. Yani No. 53, Blimbing" in preview.text
    assert "Sekarang: Aula Dinas Koperasi & UKM, Jl. Panji Suroso No. 18" in preview.text
    assert "📣 1 peserta terdaftar akan diberi tahu." in preview.text
    await staff.press("✅ Simpan dan kabari")
    await bot.tick()
    change, calendar = siti.messages[seen:]
    assert "Sekarang: Aula Dinas Koperasi & UKM, Jl. Panji Suroso No. 18" in change.text
    assert "Koperasi &amp; UKM" in (change.html or "") and "&amp;amp;" not in (change.html or "")
    assert "Sabtu, 12 Desember 2026" not in change.text  # the time did not change
    event = event_of(calendar, "REQUEST")
    assert event["UID"] == booked["UID"] and event.decoded("SEQUENCE") == 1
    assert str(event["LOCATION"]) == "Aula Dinas Koperasi & UKM, Jl. Panji Suroso No. 18"


async def test_two_changes_sent_later_each_say_what_they_were(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    session = await create_session(bot)
    siti_id = await register_owner(bot, siti.id, "Siti")
    emulator.open_chat(siti.id)
    await bot.services.booking.book(siti_id, session.id)
    for hour in (13, 15):  # two changes before the sender runs
        start = SATURDAY_9.replace(hour=hour - 7) + timedelta(days=1)
        change = {"starts_at": start, "ends_at": start + timedelta(hours=2)}
        await bot.services.sessions.change(session.id, change)
    await bot.tick()
    changes = [m for m in siti.messages if "Ada perubahan" in m.text]
    assert [(WAS in m.text, NOW in m.text) for m in changes] == [(True, True), (False, False)]
    assert "Dulu: Minggu, 13 Desember 2026, 13.00–15.00 WIB" in changes[1].text
    assert "Sekarang: Minggu, 13 Desember 2026, 15.00–17.00 WIB" in changes[1].text
    files = [event_of(m, "REQUEST") for m in siti.messages if m.document]
    assert [e.decoded("SEQUENCE") for e in files] == [1, 2]
    assert [e.decoded("DTSTART").hour for e in files] == [13, 15]


async def test_a_change_someone_made_meanwhile_is_not_overwritten(
    bot: RunningBot, staff: FakeUser
) -> None:
    session = await create_session(bot)
    await staff.command("sesi")
    await staff.press("🕘 Ubah waktu")
    (preview,) = await staff.send("13-12-2026 13.00-15.00")
    assert "Belum ada peserta atau pelatih yang perlu diberi tahu." in preview.text
    await bot.services.sessions.change(session.id, {"venue_name": "Balai Kota Malang"})
    (refused,) = await staff.press("✅ Simpan dan kabari")
    assert "baru saja diubah petugas lain" in refused.text and refused.buttons == []
    current = await bot.services.sessions.get(session.id)
    assert current is not None and current.starts_at == SATURDAY_9
    assert current.venue_name == "Balai Kota Malang"
    assert await bot.services.dialogs.current(await bot.user_id_of(staff.id)) is None


async def test_cancelling_says_who_will_be_told_and_removes_the_calendar_entry(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser, siti: FakeUser, budi: FakeUser
) -> None:
    people = await _session_with_people(bot, emulator, siti, budi)
    seen = {u.id: len(u.messages) for u in (siti, people.eko, people.andi)}
    await staff.command("sesi")
    (ask,) = await staff.press("❌ Batalkan sesi")
    assert f"📣 {WHO} akan diberi tahu." in ask.text
    (done,) = await staff.press("Ya, batalkan sesi ini")
    assert f"📣 {WHO} sedang kami kabari." in done.text
    await bot.tick()
    cancelled, calendar = siti.messages[seen[siti.id] :]
    assert "dibatalkan" in cancelled.text and "Sabtu, 12 Desember 2026" in cancelled.text
    event = event_of(calendar, "CANCEL")
    assert event["UID"] == people.booked_calendar["UID"]
    assert str(event["STATUS"]) == "CANCELLED" and event.decoded("SEQUENCE") == 1
    (waiting,) = texts(people.eko, seen[people.eko.id])  # no calendar entry to remove
    assert "dibatalkan" in waiting
    trainer, trainer_calendar = people.andi.messages[seen[ANDI] :]
    assert "yang Anda latih dibatalkan" in trainer.text
    assert str(event_of(trainer_calendar, "CANCEL")["STATUS"]) == "CANCELLED"


async def test_moving_says_the_old_seat_is_free_and_removes_the_old_calendar_entry(
    bot: RunningBot, siti: FakeUser
) -> None:
    first = await create_session(bot, "Sesi A")
    other = await create_session(bot, "Sesi C", starts_at=SATURDAY_9 + timedelta(days=2))
    await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    await siti.press_data(f"bk:v1:book:{first.id}")
    (booked,) = [event_of(m, "REQUEST") for m in siti.messages if m.document]
    await siti.command("bookingsaya")
    await siti.press("🔄 Pindah sesi")
    replies = await siti.press(siti.last.buttons[0][0])
    (confirmation,) = [m for m in replies if "Kursi Anda sudah aman" in m.text]
    assert "Kursi lama Anda di Sesi A (Sabtu, 12 Desember 2026, 09.00–11.00 WIB) sudah kami" in (
        confirmation.text
    )
    assert "Sesi C" in confirmation.text
    new, old = [m for m in replies if m.document]
    assert new.document is not None and new.document[0] == f"sesi-{other.id}.ics"
    assert str(event_of(new, "REQUEST")["UID"]) not in ("", str(booked["UID"]))
    removal = event_of(old, "CANCEL")
    assert removal["UID"] == booked["UID"] and str(removal["STATUS"]) == "CANCELLED"
    assert removal.decoded("SEQUENCE") > booked.decoded("SEQUENCE")  # newer, so it applies
    assert "hapus sesi lama (Sesi A)" in old.text


def _limited(emulator: BotApiEmulator, since: int) -> list[str]:
    """The rate-limited Bot API methods the bot called since call ``since``."""
    return [c.method for c in emulator.calls[since:] if is_limited_method(c.method)]


async def test_a_tapped_step_of_sesi_costs_at_most_one_limited_call(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    session = await create_session(bot)
    await staff.command("sesi")
    calls: dict[str, list[str]] = {}

    async def tap(label: str) -> None:
        mark = len(emulator.calls)
        await staff.press(label)
        calls[label] = _limited(emulator, mark)

    await tap("🕘 Ubah waktu")
    (preview,) = await staff.send("13-12-2026 13.00-15.00")  # waits for Save
    await tap("📍 Ubah tempat")  # a second thought: the place instead
    assert "Tempat baru" in staff.last.text
    await tap("🔒 Tutup pendaftaran")
    await tap("🔓 Buka lagi")
    await tap("❌ Batalkan sesi")
    await tap("Tidak jadi")
    assert all(len(made) <= 1 for made in calls.values()), calls
    await staff.press_on(preview, "✅ Simpan dan kabari")  # the earlier preview is spent
    assert staff.toasts[-1].startswith("Tombol itu dari pesan lama, jadi tidak saya pakai")
    current = await bot.services.sessions.get(session.id)
    assert current is not None and current.starts_at == SATURDAY_9

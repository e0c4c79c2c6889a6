"""What the booking screens show is what is true (issue 12, item 4): values escaped once, the
tapped card redrawn with the current seats and state, and answers that matter kept as messages
rather than toasts that vanish."""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator import BotApiEmulator, BotMessage, FakeUser
from tests.e2e.support import create_session, register_owner
from tests.e2e.test_trainer import make_trainer
from tests.harness import RunningBot

FRIDAY_8 = datetime.fromisoformat("2026-12-11T01:00:00+00:00")  # the day before, 08.00 WIB
VENUE = "Aula Dinas Koperasi & UKM"
ADDRESS = "Jl. Panji Suroso <No. 2> & 3"
TITLE = "Foto <produk> & judul"


def shown_once(message: BotMessage, *values: str) -> None:
    """Each value appears as typed: neither "&amp;" on screen nor a tag swallowed."""
    for value in values:
        assert value in message.text, (value, message.text)
    assert "&amp;" not in message.text and "&lt;" not in message.text, message.text


async def test_a_venue_and_title_with_ampersand_and_angle_bracket_show_as_typed(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await create_session(bot, TITLE, venue_name=VENUE, venue_address=ADDRESS)
    await bot.services.sessions.change(session.id, {"trainer_id": await bot.user_id_of(joko.id)})
    for owner in (siti, budi):
        await register_owner(bot, owner.id, owner.first_name, client_language=owner.language_code)
    (card,) = await siti.command("jadwal")
    shown_once(card, TITLE, f"{VENUE}, {ADDRESS}")
    replies = await siti.press("✅ Pesan kursi")
    (edited,) = [m for m in replies if m.message_id == card.message_id]
    shown_once(edited, TITLE, f"{VENUE}, {ADDRESS}")
    confirmation = next(m for m in replies if "Kursi Anda sudah aman" in m.text)
    shown_once(confirmation, TITLE, f"{VENUE}, {ADDRESS}")
    (mine,) = await siti.command("bookingsaya")
    shown_once(mine, TITLE, VENUE)
    (ask,) = await siti.press("❌ Batalkan booking")
    shown_once(ask, TITLE)
    await siti.press("Tidak jadi")
    await budi.command("sessions")
    replies = await budi.press("✅ Book a seat")
    shown_once(next(m for m in replies if "Your seat is booked" in m.text), f"{VENUE}, {ADDRESS}")
    bot.clock.moment = FRIDAY_8
    await bot.tick()
    for person, heading in ((siti, "Pengingat sesi"), (budi, "reminder"), (joko, "pelatih")):
        reminder = next(m for m in reversed(person.messages) if heading in m.text)
        shown_once(reminder, TITLE, f"📍 {VENUE}, {ADDRESS}")
        assert 'href="https://www.google.com/maps/search/?api=1&amp;query=' in (
            reminder.html or ""
        )


async def test_after_booking_the_card_counts_the_seat_just_taken(
    bot: RunningBot, siti: FakeUser
) -> None:
    await create_session(bot, capacity=30)
    await register_owner(bot, siti.id, "Siti")
    (card,) = await siti.command("jadwal")
    assert "Sisa 30 kursi dari 30" in card.text
    replies = await siti.press("✅ Pesan kursi")
    (edited,) = [m for m in replies if m.message_id == card.message_id]
    assert "Sisa 29 kursi dari 30" in edited.text and "Booking Anda" in edited.text
    assert "✅ Pesan kursi" not in str(edited.buttons)


async def test_a_cancelled_booking_card_says_cancelled_and_an_old_copy_names_the_menu(
    bot: RunningBot, siti: FakeUser
) -> None:
    await create_session(bot, capacity=30)
    await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    replies = await siti.press("✅ Pesan kursi")
    old_copy = next(m for m in replies if "Booking Anda" in m.text)  # the card from /jadwal
    (card,) = await siti.command("bookingsaya")
    (ask,) = await siti.press("❌ Batalkan booking")
    assert ask.message_id == card.message_id and "Yakin membatalkan" in ask.text
    assert ask.buttons == [["Ya, batalkan", "Tidak jadi"]]
    replies = await siti.press("Ya, batalkan")
    (shown,) = [m for m in replies if m.message_id == card.message_id]
    assert "Booking dibatalkan" in shown.text and "✅ Booking Anda" not in shown.text
    assert "Sisa 30 kursi dari 30" in shown.text and shown.buttons == []
    assert "sudah dibatalkan" in replies[-1].text
    replies = await siti.press_on(old_copy, "🔄 Pindah sesi")
    redrawn, refusal = replies
    assert redrawn.message_id == old_copy.message_id and redrawn.buttons == []
    assert "sudah tidak berlaku" in redrawn.text and "✅ Booking Anda" not in redrawn.text
    assert "sudah tidak berlaku" in refusal.text and "/bookingsaya" in refusal.text
    assert siti.toasts == []


async def test_answers_that_matter_are_messages_not_toasts(
    bot: RunningBot, siti: FakeUser, budi: FakeUser
) -> None:
    first = await create_session(bot, "Sesi A")
    second = await create_session(bot, "Sesi B", starts_at=first.starts_at + timedelta(days=1))
    await register_owner(bot, siti.id, "Siti")
    await siti.command("jadwal")
    await siti.press_data(f"bk:v1:book:{first.id}")
    (limit,) = await siti.press_data(f"bk:v1:book:{second.id}")
    assert "pindah sesi lewat /bookingsaya" in limit.text
    (again,) = await siti.press_data(f"bk:v1:book:{first.id}")
    assert "sudah terdaftar di sesi ini" in again.text
    assert siti.toasts == []
    await register_owner(bot, budi.id, "Budi", client_language="en")
    await budi.command("sessions")
    (limit,) = [m for m in await budi.press_data(f"bk:v1:book:{99999}") if m.text]
    assert "/sessions" in limit.text and budi.toasts == []

"""The words of confirmations and reminders (issue 12, item 6): no "bring your password", an
online session prepared for as online, and a reminder a fixed time before says how soon."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from handlers.telegram.delivery import send_now
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.e2e.test_trainer import make_trainer
from tests.harness import FakeClock, RunningBot, settings_for

FRIDAY_8 = datetime.fromisoformat("2026-12-11T01:00:00+00:00")  # the day before, 08.00 WIB


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, database: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    """The bot with reminders the day before, two hours before and five minutes before."""
    settings = settings_for(emulator, database, DODOLAN_REMINDERS="day-before@08:00,2h,5m")
    async with RunningBot(settings, clock, emulator) as running:
        yield running


async def book(bot: RunningBot, user: FakeUser, session_id: int) -> str:
    """Book as the booking handler does; return the confirmation's text."""
    await user.command("bantuan")
    user_id = await register_owner(
        bot, user.id, user.first_name, client_language=user.language_code
    )
    view = await bot.services.booking.book(user_id, session_id)
    assert bot.application is not None
    await send_now(bot.application, view.notice)
    heading = "Kursi Anda sudah aman" if user.language_code == "id" else "Your seat is booked"
    return next(m.text for m in user.messages if heading in m.text)


def reminders(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages if "⏰" in m.text]


async def at(bot: RunningBot, moment: datetime) -> None:
    bot.clock.moment = moment
    await bot.tick()


async def test_no_one_is_told_to_bring_a_password(
    bot: RunningBot, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(bot)
    confirmations = [await book(bot, owner, session.id) for owner in (siti, budi)]
    await at(bot, FRIDAY_8)
    texts = [*confirmations, *reminders(siti), *reminders(budi)]
    assert len(texts) == 4
    assert not any("kata sandi" in t.lower() or "password" in t.lower() for t in texts)
    assert "pastikan Anda bisa masuk ke akun toko" in confirmations[0]
    assert "pastikan Anda bisa masuk ke akun toko" in reminders(siti)[0]
    assert "make sure you can log in to your shop account" in confirmations[1]
    assert "make sure you can log in to your shop account" in reminders(budi)[0]


async def test_an_online_session_is_prepared_for_online(
    bot: RunningBot, siti: FakeUser, budi: FakeUser
) -> None:
    session = await create_session(
        bot,
        "Live jualan di TikTok",
        venue_name=None,
        venue_address=None,
        latitude=None,
        longitude=None,
        online_url="https://meet.example.org/live-jualan",
    )
    confirmations = [await book(bot, owner, session.id) for owner in (siti, budi)]
    await at(bot, FRIDAY_8)
    (siti_reminder,), (budi_reminder,) = reminders(siti), reminders(budi)
    for text in (confirmations[0], siti_reminder):
        assert "bawa hp" not in text.lower() and "Sesi ini online" in text
        assert "https://meet.example.org/live-jualan" in text
    for text in (confirmations[1], budi_reminder):
        assert "bring a fully charged phone" not in text.lower()
        assert "This session is online" in text
    assert not any(m.location for m in siti.messages)  # no map pin for a link


async def test_a_reminder_a_fixed_time_before_says_how_soon(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, budi: FakeUser
) -> None:
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    session = await create_session(bot)
    await bot.services.sessions.change(session.id, {"trainer_id": await bot.user_id_of(joko.id)})
    for owner in (siti, budi):
        await book(bot, owner, session.id)
    await at(bot, FRIDAY_8)
    (day_before,) = reminders(siti)
    assert "lagi" not in day_before.split("\n")[0]  # the date says when
    await at(bot, SATURDAY_9 - timedelta(hours=2))
    assert reminders(siti)[-1].startswith("⏰ Pengingat sesi pelatihan – mulai 2 jam lagi")
    assert reminders(budi)[-1].startswith("⏰ Training session reminder – starts in 2 hours")
    await at(bot, SATURDAY_9 - timedelta(minutes=5))
    assert reminders(siti)[-1].startswith("⏰ Pengingat sesi pelatihan – mulai 5 menit lagi")
    assert reminders(budi)[-1].startswith("⏰ Training session reminder – starts in 5 minutes")
    assert "sesi mulai 5 menit lagi" in reminders(joko)[-1]
    assert len(reminders(siti)) == 3 and len(reminders(joko)) == 3

"""After one session an owner books the next, on Telegram and on WhatsApp (issue 19, point 1).

The programme runs in stages: a session that has ended no longer counts against
``DODOLAN_MAX_ACTIVE_BOOKINGS`` (one by default), and "bookingsaya" shows what is coming
first, with its choices, and past sessions apart, saying whether the owner attended.

Each scenario is written once and runs on both channels of the assembled bot through a
small driver per channel (say a word, tap a button on a message, read the texts). The one
declared difference: Telegram redraws the tapped card; WhatsApp cannot edit, so only the
refusal arrives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import pytest

from bot.core.models import TrainingSession
from simulator import BotApiEmulator, FakeUser
from simulator.whatsapp import WhatsAppEmulator, WhatsAppPerson
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.e2e.test_trainer import make_trainer
from tests.e2e.test_two_channels import RINA, whatsapp_owner
from tests.e2e.test_two_channels import both as both  # the fixtures
from tests.e2e.test_two_channels import wa as wa
from tests.harness import FakeClock, RunningBot

WEEK = timedelta(days=7)
BOLD = re.compile(r"\*([^*\n]+)\*")
BOOK = "✅ Pesan kursi"
CANCEL = "❌ Batalkan booking"
MOVE = "🔄 Pindah sesi"


@dataclass(frozen=True)
class Shown:
    """One message as the owner sees it: its text and the titles of its buttons."""

    text: str
    buttons: tuple[str, ...]
    raw: Any  # the channel's own snapshot, to tap on later


class Owner(Protocol):
    """What a scenario does as the owner, on either channel."""

    channel: str
    user_id: int

    async def say(self, word: str) -> list[Shown]:
        """Send a command word ("jadwal", "bookingsaya")."""
        ...

    async def tap(self, message: Shown, title: str) -> list[Shown]:
        """Tap a button on a message (maybe an old one)."""
        ...

    def messages(self) -> list[Shown]:
        """Everything the bot sent the owner so far."""
        ...


@dataclass
class TelegramOwner:
    person: FakeUser
    user_id: int
    channel: str = "telegram"

    @staticmethod
    def shown(messages: Sequence[Any]) -> list[Shown]:
        return [Shown(m.text, tuple(b for row in m.buttons for b in row), m) for m in messages]

    async def say(self, word: str) -> list[Shown]:
        return self.shown(await self.person.command(word))

    async def tap(self, message: Shown, title: str) -> list[Shown]:
        return self.shown(await self.person.press_on(message.raw, title))

    def messages(self) -> list[Shown]:
        return self.shown(self.person.messages)


@dataclass
class WhatsAppOwner:
    person: WhatsAppPerson
    user_id: int
    channel: str = "whatsapp"

    @staticmethod
    def shown(messages: Sequence[Any]) -> list[Shown]:
        """As read: WhatsApp shows ``*bold*`` as bold, without the stars."""
        return [Shown(BOLD.sub(r"\1", m.text or ""), tuple(m.titles), m) for m in messages]

    async def say(self, word: str) -> list[Shown]:
        return self.shown(await self.person.say(word))

    async def tap(self, message: Shown, title: str) -> list[Shown]:
        return self.shown(await self.person.tap_on(message.raw, title))

    def messages(self) -> list[Shown]:
        return self.shown(self.person.messages)


@pytest.fixture(params=["telegram", "whatsapp"])
async def owner(
    request: pytest.FixtureRequest,
    both: RunningBot,
    emulator: BotApiEmulator,
    wa: WhatsAppEmulator,
) -> Owner:
    """A registered owner on the channel of the test's parameter."""
    if request.param == "telegram":
        siti = emulator.user(1001, "Siti", language_code="id")
        return TelegramOwner(siti, await register_owner(both, siti.id, "Siti"))
    rina = wa.person(RINA, name="Rina")
    return WhatsAppOwner(rina, await whatsapp_owner(both, RINA, "Rina"))


@dataclass(frozen=True)
class Stages:
    first: TrainingSession
    second: TrainingSession
    trainer: int


async def stages(bot: RunningBot, emulator: BotApiEmulator) -> Stages:
    """Session 1 this Saturday, session 2 a week later, both run by Pak Joko."""
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    first = await create_session(bot, "Foto produk pakai HP")
    second = await create_session(bot, "Judul produk yang dicari", starts_at=SATURDAY_9 + WEEK)
    trainer = await bot.user_id_of(joko.id)
    for session in (first, second):
        await bot.services.sessions.change(session.id, {"trainer_id": trainer})
    return Stages(first, second, trainer)


async def book_from_schedule(owner: Owner, title: str) -> list[Shown]:
    """Open the schedule and tap "book" under the session with this title."""
    card = next(m for m in await owner.say("jadwal") if title in m.text)
    return await owner.tap(card, BOOK)


async def bookings_of(bot: RunningBot, user_id: int) -> list[tuple[int, str]]:
    rows = await bot.services.db.fetch_all(
        "SELECT session_id, status FROM bookings WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [(r["session_id"], r["status"]) for r in rows]


async def booking_id(bot: RunningBot, user_id: int, session_id: int) -> int:
    row = await bot.services.db.fetch_one(
        "SELECT id FROM bookings WHERE user_id = ? AND session_id = ?", (user_id, session_id)
    )
    assert row is not None
    return int(row["id"])


async def test_an_owner_who_attended_session_1_books_session_2(
    both: RunningBot,
    emulator: BotApiEmulator,
    clock: FakeClock,
    owner: Owner,
) -> None:
    s = await stages(both, emulator)
    replies = await book_from_schedule(owner, s.first.title)
    assert any("Kursi Anda sudah aman" in m.text for m in replies)
    attended = await booking_id(both, owner.user_id, s.first.id)
    await both.services.attendance.mark(s.trainer, attended, attended=True)  # the trainer

    clock.moment = s.first.ends_at + timedelta(hours=1)  # session 1 is over
    replies = await book_from_schedule(owner, s.second.title)

    texts = "\n".join(m.text for m in replies)
    assert "sudah punya booking atau antrean" not in texts
    assert "Kursi Anda sudah aman" in texts and s.second.title in texts
    assert await bookings_of(both, owner.user_id) == [
        (s.first.id, "confirmed"),
        (s.second.id, "confirmed"),
    ]

    upcoming, past = await owner.say("bookingsaya")
    assert "Booking Anda" in upcoming.text and s.second.title in upcoming.text
    assert s.first.title not in upcoming.text
    assert set(upcoming.buttons) == {MOVE, CANCEL}
    assert past.text.startswith("🗂 Sesi yang sudah lewat")
    assert s.first.title in past.text and "Sabtu, 12 Desember 2026 · hadir" in past.text
    assert past.buttons == ()


async def test_a_past_session_the_owner_missed_is_listed_apart_and_offers_nothing(
    both: RunningBot,
    emulator: BotApiEmulator,
    clock: FakeClock,
    owner: Owner,
) -> None:
    s = await stages(both, emulator)
    await book_from_schedule(owner, s.first.title)
    (old_card,) = await owner.say("bookingsaya")  # drawn while session 1 was ahead
    assert set(old_card.buttons) == {MOVE, CANCEL}

    clock.moment = s.first.ends_at  # over; nobody checked them in
    (mine,) = await owner.say("bookingsaya")
    assert mine.text.startswith("Anda belum punya booking untuk sesi berikutnya.")
    assert "🗂 Sesi yang sudah lewat" in mine.text
    assert f"{s.first.title} – Sabtu, 12 Desember 2026 · kehadiran tidak tercatat" in mine.text
    assert mine.buttons == ()

    replies = await owner.tap(old_card, CANCEL)  # an old card's button
    refusal = replies[-1]
    assert refusal.text.startswith(f"Sesi {s.first.title} sudah selesai")
    if owner.channel == "telegram":  # Telegram redraws the card it was tapped on
        (redrawn,) = [m for m in replies if m.raw.message_id == old_card.raw.message_id]
        assert "Sesi ini sudah selesai" in redrawn.text and redrawn.buttons == ()
    else:  # WhatsApp cannot edit: only the refusal comes
        assert len(replies) == 1
    assert await bookings_of(both, owner.user_id) == [(s.first.id, "confirmed")]


async def test_a_reminder_answered_after_the_session_ended_changes_nothing(
    both: RunningBot,
    emulator: BotApiEmulator,
    clock: FakeClock,
    owner: Owner,
) -> None:
    s = await stages(both, emulator)
    await book_from_schedule(owner, s.first.title)
    clock.moment = s.first.starts_at - timedelta(hours=3)
    await owner.say("bookingsaya")  # she wrote on the day (WhatsApp: her window is open)
    clock.moment = s.first.starts_at - timedelta(hours=2)
    await both.tick()
    reminder = next(m for m in reversed(owner.messages()) if "Pengingat sesi" in m.text)

    clock.moment = s.first.ends_at + timedelta(minutes=5)
    replies = await owner.tap(reminder, "✅ Saya hadir")

    assert replies[-1].text.startswith(f"Sesi {s.first.title} sudah selesai")
    row = await both.services.db.fetch_one(
        "SELECT status, will_attend_at FROM bookings WHERE user_id = ?", (owner.user_id,)
    )
    assert row is not None and tuple(row) == ("confirmed", None)

"""A seeded run of hostile and careless input from owners, staff and a trainer.

Every update is one a real client could send: commands in any order, text with markup
characters, media where text is expected, taps on old messages (double taps, stale copies)
and forged callback data for every kind the bot knows. The run must end with zero calls
Telegram would refuse (the emulator fixture checks that), zero tracebacks in the logs, and
no update left without an answer where a person expects one.
"""

from __future__ import annotations

import logging
import random

import pytest

from handlers.telegram import callbacks as cb
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import create_session, register_owner
from tests.harness import RunningBot

COMMANDS = [
    "start", "bantuan", "help", "batal", "daftar", "profil", "bahasa", "datasaya", "jadwal",
    "bookingsaya", "tips", "tipsharian", "berhenti", "mulai", "kelas", "peserta", "sesi",
    "sesibaru", "statistik", "pelatih", "umumkan", "riwayat", "ekspor", "entahlah",
]  # fmt: skip
TEXTS = [
    "halo", "<b>tebal</b> & <i>miring</i>", "Bu Siti & Co <script>", "1 < 2 & 3 > 2",
    "", "   ", "😀😀", "Dapur 👩‍🍳", "12-12-2026 09.00-11.00", "0812-3456-7890", "x" * 300,
    "/", "/start latih-xxxx", "/start hadir-zzz", "/start sesi-404", "ya", "kuliner",
]  # fmt: skip
KINDS = [
    cb.SIGNUP, cb.ANSWER, cb.PROFILE, cb.LANGUAGE, cb.ERASE, cb.BOOKING, cb.OFFER,
    cb.REMINDER, cb.BROADCAST, cb.CLASS, cb.ATTENDANCE, cb.FEEDBACK, cb.NEW_SESSION,
    cb.SESSION_ADMIN, cb.PARTICIPANTS, cb.TRAINERS, cb.TIPS, "zz",
]  # fmt: skip
UPDATES = 250


def _forged(rng: random.Random) -> str:
    kind = rng.choice(KINDS)
    parts = rng.choice(
        [[], ["x"], ["1"], ["yes"], ["999999"], ["book", "1"], ["done", "1"], ["1", "1"]]
    )
    version = rng.choice([cb.VERSION, cb.VERSION, "v0"])
    return ":".join([kind, version, *parts])


async def _act(person: FakeUser, rng: random.Random) -> None:
    """One thing a careless or hostile person might do."""
    choice = rng.random()
    if choice < 0.25:
        await person.command(rng.choice(COMMANDS), expect_reply=None)
    elif choice < 0.45:
        text = rng.choice(TEXTS)
        if text.strip():
            await person.send(text, expect_reply=None)
    elif choice < 0.7:
        tappable = [m for m in person.messages[-8:] if m.button_data]
        if tappable:
            message = rng.choice(tappable)
            label = rng.choice(list(message.button_data))
            if not message.button_data[label].startswith(("http", "tg:")):
                await person.press_on(message, label, expect_reply=None)
    elif choice < 0.85:
        if person.messages:
            await person.press_data(_forged(rng), expect_reply=None)
    elif choice < 0.92:
        await person.send_sticker(expect_reply=None)
    elif choice < 0.96:
        await person.send_location(-7.98, 112.63, expect_reply=None)
    else:
        await person.share_contact(own=rng.random() < 0.5, expect_reply=None)


@pytest.mark.parametrize("seed", [1, 2])
async def test_hostile_and_careless_updates_end_without_errors(
    bot: RunningBot,
    emulator: BotApiEmulator,
    siti: FakeUser,
    budi: FakeUser,
    staff: FakeUser,
    caplog: pytest.LogCaptureFixture,
    seed: int,
) -> None:
    rng = random.Random(seed)
    await create_session(bot, venue_name="Aula Dinas Koperasi & UKM <Blimbing>")
    await register_owner(bot, budi.id, "Budi <b>", client_language="en")
    newcomer = emulator.user(1003, "Wati & <Sri>", language_code="id", phone="+6281299990000")
    people = [siti, budi, staff, newcomer]
    for person in people:
        await person.command("start")
    caplog.set_level(logging.WARNING)
    for _ in range(UPDATES):
        await _act(rng.choice(people), rng)
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert tracebacks == [], [r.getMessage() for r in tracebacks][:5]
    refused = [c for c in emulator.calls if c.status >= 400 and c.status != 429]
    assert refused == [], [(c.method, c.description) for c in refused][:5]

"""Every command an owner reads is one they can send on their channel.

The main owner journeys (sign-up, help, sessions, a booking, tips, announcements, their data,
a stray message, a practice task with its help, stopping and resuming tasks) run on Telegram
and on WhatsApp; then every text the owner received is swept. On WhatsApp no text may name a
slash command ("ketik /bantuan": WhatsApp has none; the owner types the word); on Telegram
every slash command named must be one the bot answers. The commands are typed as the texts
show them (:func:`bot.services.command_words.command`), so the form shown is also checked to
be understood.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from telegram.ext import CommandHandler

from bot.core.notices import ChannelName
from bot.services.command_words import command
from simulator import BotApiEmulator
from tests.e2e.support import create_session
from tests.e2e.test_trainer import make_trainer
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver, WhatsAppDriver
from tests.scenarios.journeys import sign_up
from tests.scenarios.test_practice_tasks import (
    PHOTOS,
    TITLE,
    arrives,
    paced_by_the_fake_clock,
)

# A slash that starts a word, not inside an address, a fraction, a pair or a closing tag:
# broader than the service's own pattern on purpose (after a quote, a star or a bracket too).
SLASH_WORD = re.compile(r"(?<![\w/:.<>-])/[A-Za-z]\w+")


@pytest.fixture(params=[ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
def channel(request: pytest.FixtureRequest) -> ChannelName:
    """Telegram and WhatsApp: the journey starts with a practice task sent by the outbox."""
    return ChannelName(request.param)


def received(siti: Driver) -> list[str]:
    """Every text the owner received (WhatsApp: body, header, footer and list rows)."""
    if isinstance(siti, WhatsAppDriver):
        texts = []
        for m in siti.person.messages:
            rows = [f"{r.title} {r.description or ''}" for r in m.rows]
            texts.append("\n".join([m.header or "", m.text, m.footer or "", *rows]))
        return texts
    return [m.text for m in siti.person.messages]  # type: ignore[attr-defined]


def telegram_commands(bot: RunningBot) -> set[str]:
    """The commands the Telegram bot answers."""
    return {
        f"/{name}"
        for group in bot.application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }


ERASE = {ChannelName.TELEGRAM: "🗑 Ya, hapus data saya", ChannelName.WHATSAPP: "🗑 Ya, hapus"}


async def test_every_command_an_owner_reads_is_one_their_channel_understands(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    def typed(word: str) -> str:
        return command(word, siti.channel, "id")

    paced_by_the_fake_clock(both)
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    session = await create_session(both, TITLE)
    await both.services.sessions.change(session.id, {"trainer_id": await both.user_id_of(joko.id)})
    await siti.say("/start")
    siti.read()
    await siti.tap("Tidak setuju")
    siti.read()
    await siti.say("Bagaimana cara jualan di Shopee?")  # a question before signing up
    assert "setelah Anda mendaftar" in siti.read()
    await siti.say(typed("daftar"))
    await sign_up(siti)
    await siti.say(typed("bookingsaya"))  # no booking yet
    assert "belum punya booking" in siti.read()
    await siti.say(typed("jadwal"))
    await siti.tap("✅ Pesan kursi")
    assert "Kursi Anda sudah aman" in siti.read()
    await siti.say(typed("bantuan"))  # help names the practice tasks' words too
    assert typed("berhentitugas") in siti.read()
    for word in ("bookingsaya", "tips", "berhenti", "mulai", "profil"):
        both.clock.moment += timedelta(minutes=1)  # a person's pace, not a burst
        await siti.say(typed(word))
        assert siti.read().messages, f"{typed(word)!r} got no answer on {siti.channel}"
    both.clock.moment += timedelta(minutes=1)
    await siti.say(typed("datasaya"))
    assert "Siti Aminah" in siti.read()
    await siti.say(typed("batal"))
    siti.read()
    await siti.say("ok sip")  # a stray word
    siti.read()

    user_id = await siti.user_id()
    booking = await both.services.db.fetch_one(
        "SELECT id FROM bookings WHERE user_id = ?", (user_id,)
    )
    assert booking is not None
    await both.services.attendance.mark(
        await both.user_id_of(joko.id), booking["id"], attended=True
    )
    both.clock.moment = session.ends_at
    end = both.clock.moment
    assert PHOTOS in await arrives(siti, both, timedelta(days=1), end)
    await siti.tap("🙋 Butuh bantuan")
    assert "paling lambat" in siti.read()
    await siti.say(typed("berhentitugas"))
    assert "Tugas latihan dihentikan" in siti.read()
    await siti.say(typed("lanjuttugas"))
    assert siti.read().messages
    await siti.say(typed("hapusdata"))
    await siti.tap(ERASE[siti.channel])
    assert "sudah kami hapus" in siti.read()

    named = [(w, t[:80]) for t in received(siti) for w in SLASH_WORD.findall(t)]
    if siti.channel is ChannelName.WHATSAPP:
        assert named == []  # no slash commands on WhatsApp: the owner types the word
    else:
        known = telegram_commands(both)
        assert [(w, t) for w, t in named if w not in known] == []
        assert any(w == "/bantuan" for w, _ in named)  # Telegram still shows its commands

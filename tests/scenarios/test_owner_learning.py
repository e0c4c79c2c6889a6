"""Learning, written once, run on every channel: a tip and its feedback, daily tips on and
off, checking in at a session (the code typed, or the trainer's link), and the stars and
comment after it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.models import TrainingSession
from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from tests.e2e.support import SATURDAY_9, create_session
from tests.e2e.test_trainer import make_trainer
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver, TelegramDriver
from tests.scenarios.journeys import paced_by_the_fake_clock, sign_up, time_passes
from tests.scenarios.test_owner_settings import CHANGE
from tests.scenarios.test_unexpected_input import PNG

TITLE = "Foto produk pakai HP"
THANKS = "Terima kasih, masukan Anda kami catat."
WEDNESDAY_7 = datetime.fromisoformat("2026-12-02T00:00:00+00:00")  # Wed 2 Dec, 07.00 WIB


async def signed_up(siti: Driver) -> int:
    await siti.say("/start")
    await sign_up(siti)
    siti.read()
    return await siti.user_id()


async def test_an_owner_reads_a_tip_and_says_it_helped(siti: Driver, both: RunningBot) -> None:
    user_id = await signed_up(siti)

    await siti.say("/tips")
    tip = siti.read()
    assert "Tips jualan" in tip and "👍 Bermanfaat" in tip.choices
    await siti.tap("👍 Bermanfaat")

    # Declared: Telegram thanks with a toast over the tip, which stays as it was; WhatsApp
    # and the text channel have no toasts and send the thanks as a message.
    if isinstance(siti, TelegramDriver):
        assert siti.person.toasts[-1] == THANKS and not siti.read().messages
    else:
        assert THANKS in siti.read()
    rows = await both.services.db.fetch_all(
        "SELECT helpful FROM tips_feedback WHERE user_id = ?", (user_id,)
    )
    assert [r["helpful"] for r in rows] == [1]


async def test_an_owner_turns_daily_tips_on_gets_one_then_pauses_them(
    siti: Driver, both: RunningBot
) -> None:
    paced_by_the_fake_clock(both)
    user_id = await signed_up(siti)

    await siti.say("/tipsharian")
    assert "🌅 Pagi, 07.00 WIB" in siti.read().choices
    await siti.tap("🌅 Pagi, 07.00 WIB")
    seen = siti.read()
    assert "aktif" in seen and "Rabu, 2 Desember 2026" in seen

    both.clock.moment = WEDNESDAY_7
    await time_passes(both, siti)
    assert "Tips hari ini" in siti.read()

    await siti.say("/tipsharian")
    await siti.tap("⏸ Jeda tips harian")
    assert "dijeda" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT active FROM tips_subscriptions WHERE user_id = ?", (user_id,)
    )
    assert row is not None and not row["active"]
    both.clock.moment = WEDNESDAY_7 + timedelta(days=1)
    await time_passes(both, siti)
    assert "Tips hari ini" not in siti.read()


async def booked_with_a_trainer(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> tuple[int, TrainingSession, int]:
    """Siti signs up and books the session Pak Joko trains, by tapping as a person would:
    her internal id, the session and Pak Joko's internal id."""
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    joko_id = await both.user_id_of(joko.id)
    session = await create_session(both, TITLE)
    await both.services.sessions.change(session.id, {"trainer_id": joko_id})
    user_id = await signed_up(siti)
    await siti.say("/jadwal")
    await siti.tap("✅ Pesan kursi")
    siti.read()
    return user_id, session, joko_id


async def checkin_code_at_the_door(
    both: RunningBot, joko_id: int, session: TrainingSession
) -> str:
    """Twenty minutes before the session, the code of Pak Joko's check-in QR."""
    both.clock.moment = SATURDAY_9 - timedelta(minutes=20)
    _, code = await both.services.attendance.checkin_code(joko_id, session.id)
    return code


def checkin_link(channel: ChannelName, wa: WhatsAppEmulator, code: str) -> str:
    """The trainer's QR link for this channel. Declared: each channel has its own (a start
    parameter on Telegram; a click-to-chat link that types the code on WhatsApp, and the
    same typed text on the text channel, which has no links of its own)."""
    if channel is ChannelName.TELEGRAM:
        return f"https://t.me/dodolan_bot?start=hadir-{code}"
    return f"https://wa.me/{wa.display_phone_number}?text=HADIR-{code}"


@pytest.mark.parametrize("how", ["typed", "link"])
async def test_an_owner_checks_in_at_her_session(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, how: str
) -> None:
    user_id, session, joko_id = await booked_with_a_trainer(siti, both, emulator)
    code = await checkin_code_at_the_door(both, joko_id, session)

    if how == "typed":
        await siti.say(f"HADIR-{code}")
    else:
        await siti.open_link(checkin_link(siti.channel, wa, code))

    seen = siti.read()
    assert "kehadiran Anda di" in seen and TITLE in seen
    await siti.say(f"HADIR-{code}")  # once more: already noted, nothing changes
    assert "sudah tercatat sebelumnya" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT attended_at FROM bookings WHERE user_id = ? AND session_id = ?",
        (user_id, session.id),
    )
    assert row is not None and row["attended_at"] is not None


@pytest.mark.parametrize("comment", ["typed", "skipped"])
async def test_after_the_session_an_owner_gives_stars_and_a_comment(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator, comment: str
) -> None:
    paced_by_the_fake_clock(both)
    user_id, session, joko_id = await booked_with_a_trainer(siti, both, emulator)
    (booking,) = await both.services.booking.current(user_id)
    booking_id = booking.booking.id
    await both.services.attendance.mark(joko_id, booking_id, attended=True)  # Pak Joko ticks

    both.clock.moment = session.ends_at + timedelta(hours=1)
    await time_passes(both, siti)
    question = siti.read()
    assert "Bagaimana sesinya" in question and TITLE in question
    assert "⭐⭐⭐⭐" in question.last.choices

    await siti.tap("⭐⭐⭐⭐")
    # Declared: Telegram edits the question to show the stars; WhatsApp and the text channel
    # send a new message. Either way the stars are shown with "skip" under them.
    rated = siti.read()
    assert "Nilai Anda: ⭐⭐⭐⭐" in rated and "Lewati" in rated.last.choices
    if comment == "typed":
        await siti.say("Materinya jelas & praktis")
        assert "Komentar Anda sudah kami terima" in siti.read()
    else:
        await siti.tap("Lewati")
        assert "Oke, terima kasih atas nilainya!" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT stars, comment FROM feedback WHERE booking_id = ?", (booking_id,)
    )
    typed = "Materinya jelas & praktis" if comment == "typed" else None
    assert row is not None and (row["stars"], row["comment"]) == (4, typed)
    assert await both.services.dialogs.current(await siti.user_id()) is None


# Declared: the plain-text test channel carries no files, so this runs on the two that do.
@pytest.mark.parametrize("channel", [ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
async def test_a_photo_for_the_comment_is_refused_and_the_comment_asked_again(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    paced_by_the_fake_clock(both)
    user_id, session, joko_id = await booked_with_a_trainer(siti, both, emulator)
    (booking,) = await both.services.booking.current(user_id)
    await both.services.attendance.mark(joko_id, booking.booking.id, attended=True)
    both.clock.moment = session.ends_at + timedelta(hours=1)
    await time_passes(both, siti)
    await siti.tap("⭐⭐⭐⭐⭐")
    siti.read()

    await siti.send_file("foto.png", PNG, "image/png")
    again = siti.read()
    # Telegram said only that the comment was empty, without "skip"; both now say why and
    # ask again with the skip button, as every written question is asked again.
    assert again.text.startswith("Maaf, saya perlu jawaban berupa tulisan"), again.text
    assert "Lewati" in again.last.choices
    await siti.say("Mantap, praktis")
    assert "Komentar Anda sudah kami terima" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT stars, comment FROM feedback WHERE booking_id = ?", (booking.booking.id,)
    )
    assert row is not None and (row["stars"], row["comment"]) == (5, "Mantap, praktis")


async def test_a_check_in_typed_at_an_open_question_checks_in_and_asks_it_again(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    # Telegram took the code as the answer to the open question (here the new business
    # name); WhatsApp read it first, as it reads every text its links type.
    user_id, session, joko_id = await booked_with_a_trainer(siti, both, emulator)
    code = await checkin_code_at_the_door(both, joko_id, session)
    await siti.say("/profil")
    await siti.tap(CHANGE[siti.channel])
    if siti.channel is ChannelName.WHATSAPP:
        await siti.tap("✏️ Nama usaha")
    siti.read()

    await siti.say(f"HADIR-{code}")
    seen = siti.read()
    assert "kehadiran Anda di" in seen.text and TITLE in seen.text
    assert "nama usaha" in seen.last.text.lower()  # the open question, asked again
    owner = await both.services.profile.get(user_id)
    assert owner is not None and owner.business_name == "Warung Siti"
    await siti.say("Kedai Siti Jaya")
    owner = await both.services.profile.get(user_id)
    assert owner is not None and owner.business_name == "Kedai Siti Jaya"

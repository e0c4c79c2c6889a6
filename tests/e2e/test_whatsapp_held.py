"""What a WhatsApp owner outside the 24-hour window gets when messages wait for her: one
"tap to read it" template however many wait, and everything that waited, oldest first and
once, whether she taps the template or just types a reply (any message opens her window)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import TrainingSession as Session
from simulator.whatsapp import WhatsAppEmulator
from simulator.whatsapp.people import WhatsAppPerson as WaPerson
from tests.e2e import test_two_channels as two_channels
from tests.e2e.support import SATURDAY_9, create_session
from tests.e2e.test_two_channels import RINA, whatsapp_owner
from tests.harness import FakeClock, RunningBot

wa = two_channels.wa  # the emulator with every template approved
both = two_channels.both  # the bot on Telegram and WhatsApp
CHANGED = "Ada perubahan pada sesi Anda"
NOT_UNDERSTOOD = "Maaf, saya belum paham pesan itu"


async def booked_then_silent(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> tuple[WaPerson, Session]:
    """Rina booked a seat on WhatsApp, then wrote nothing for 25 hours."""
    session = await create_session(both, "Foto produk pakai HP")
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")
    await both.services.booking.book(rina_id, session.id)
    await both.tick()
    clock.advance(minutes=1)  # past the pause between two messages to one person
    await both.tick()
    assert rina.messages[-1].type != "template"  # her booking was confirmed in her window
    clock.advance(hours=25)  # her window is closed
    return rina, session


async def move_to_sunday(both: RunningBot, session: Session, hour: int) -> None:
    """Staff move the session to Sunday at ``hour`` WIB; the sender runs."""
    start = SATURDAY_9.replace(hour=hour - 7) + timedelta(days=1)
    await both.services.sessions.change(
        session.id, {"starts_at": start, "ends_at": start + timedelta(hours=2)}
    )
    await both.tick()


def texts(person: WaPerson, since: int) -> list[str]:
    return [m.text or m.body or "" for m in person.messages[since:]]


def templates(person: WaPerson, since: int) -> list[str]:
    return [m.template or "" for m in person.messages[since:] if m.type == "template"]


async def test_a_typed_reply_to_the_template_delivers_what_waited(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    rina, session = await booked_then_silent(both, wa, clock)
    seen = len(rina.messages)
    await move_to_sunday(both, session, 13)
    assert templates(rina, seen) == ["dodolan_reopen"]
    assert not any(CHANGED in t for t in texts(rina, seen))

    typed = len(rina.messages)
    await rina.say("oke")  # she types instead of tapping "Lihat pesan"

    got = texts(rina, typed)
    assert any(CHANGED in t and "Minggu, 13 Desember 2026, 13.00" in t for t in got), got
    assert not any(NOT_UNDERSTOOD in t for t in got)  # the news is the answer to "oke"
    replies = await rina.tap_template("Lihat pesan")  # tapping later sends nothing again
    assert not any(CHANGED in (m.text or "") for m in replies)
    assert sum(CHANGED in t for t in texts(rina, seen)) == 1
    wa.assert_no_violations()


async def test_a_question_typed_instead_gets_what_waited_and_then_its_answer(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    rina, session = await booked_then_silent(both, wa, clock)
    await move_to_sunday(both, session, 13)

    typed = len(rina.messages)
    await rina.say("jadwal")  # a word the bot knows: answered after what waited

    got = texts(rina, typed)
    changed = next(i for i, t in enumerate(got) if CHANGED in t)
    schedule = next(i for i, t in enumerate(got) if "Foto produk pakai HP" in t and i > changed)
    assert changed < schedule
    wa.assert_no_violations()


async def test_two_changes_while_silent_send_one_template_and_its_tap_delivers_both(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    rina, session = await booked_then_silent(both, wa, clock)
    seen = len(rina.messages)
    await move_to_sunday(both, session, 13)
    clock.advance(minutes=5)
    await move_to_sunday(both, session, 15)

    assert templates(rina, seen) == ["dodolan_reopen"]  # one template says something waits
    tapped = len(rina.messages)
    await rina.tap_template("Lihat pesan")

    changes = [t for t in texts(rina, tapped) if CHANGED in t]
    assert len(changes) == 2, changes
    assert "Sekarang: *Minggu, 13 Desember 2026, 13.00–15.00 WIB*" in changes[0]
    assert "Sekarang: *Minggu, 13 Desember 2026, 15.00–17.00 WIB*" in changes[1]
    wa.assert_no_violations()


async def test_a_change_a_day_after_an_unanswered_template_gets_its_own_template(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    rina, session = await booked_then_silent(both, wa, clock)
    seen = len(rina.messages)
    await move_to_sunday(both, session, 13)
    clock.advance(days=1)
    await move_to_sunday(both, session, 15)

    # the first template is a day old: the new change says so in a template of its own
    assert templates(rina, seen) == ["dodolan_reopen", "dodolan_reopen"]
    tapped = len(rina.messages)
    await rina.tap_template("Lihat pesan")
    changes = [t for t in texts(rina, tapped) if CHANGED in t]
    assert len(changes) == 2, changes  # the tap on either sends everything held, oldest first
    assert "15.00–17.00" in changes[1]
    wa.assert_no_violations()


async def test_a_restart_between_the_template_and_the_reply_still_delivers_once(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    rina, session = await booked_then_silent(both, wa, clock)
    seen = len(rina.messages)
    await move_to_sunday(both, session, 13)
    assert templates(rina, seen) == ["dodolan_reopen"]

    await both.restart()
    await rina.say("ada apa?")
    await rina.say("oke makasih")

    assert sum(CHANGED in t for t in texts(rina, seen)) == 1
    assert templates(rina, seen) == ["dodolan_reopen"]
    wa.assert_no_violations()

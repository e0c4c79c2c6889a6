"""Attendees' feedback as a service: stars, then a comment or a skip, every step checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.errors import InvalidInput, StaleAction
from bot.core.notices import ChannelName
from bot.services.feedback import COMMENT, FLOW, FeedbackDraft, Tapped, comment_refused
from bot.services.sessions import SessionDraft
from bot.services.unexpected import CLOSED, Received
from tests.harness import START, FakeClock
from tests.services.conftest import sign_up

STAFF_TELEGRAM_ID, SITI, BUDI = 9001, 1001, 1002
SATURDAY_9 = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    env = {
        "DODOLAN_DATABASE": str(tmp_path / "db.sqlite3"),
        "DODOLAN_STAFF_IDS": str(STAFF_TELEGRAM_ID),
        "DODOLAN_MAX_ACTIVE_BOOKINGS": "3",
    }
    started = await Services.start(load_settings(env, require_token=False), FakeClock(START))
    for user_id, name in ((SITI, "Siti"), (BUDI, "Budi")):
        await sign_up(started, user_id, name)
    yield started
    await started.close()


async def _booking(services: Services, user_id: int, *, attended: bool = True) -> int:
    """Book ``user_id`` into a new session and, unless told otherwise, mark them present."""
    staff = await services.identities.user_for(ChannelName.TELEGRAM, str(STAFF_TELEGRAM_ID))
    assert staff is not None, "the settings' staff are registered at start-up"
    draft = SessionDraft("Foto produk", SATURDAY_9, SATURDAY_9 + timedelta(hours=2), 5, "Aula")
    session = await services.sessions.create(draft, staff)
    booking = (await services.booking.book(user_id, session.id)).booking.id
    if attended:
        await services.attendance.mark(staff, booking, attended=True)
    return booking


async def _stars(services: Services) -> list[tuple[object, ...]]:
    rows = await services.db.fetch_all("SELECT booking_id, stars, comment FROM feedback")
    return [tuple(r) for r in rows]


async def test_stars_then_a_comment(services: Services) -> None:
    booking = await _booking(services, SITI)
    draft = await services.feedback.rated(SITI, booking, 4)
    assert draft == FeedbackDraft(booking)
    dialog = await services.dialogs.current(SITI)
    assert dialog is not None and (dialog.flow, dialog.step) == (FLOW, COMMENT)
    with pytest.raises(InvalidInput):
        await services.feedback.received_comment(SITI, "🙂")  # no words: asked again
    assert await services.dialogs.current(SITI) is not None
    await services.feedback.received_comment(SITI, "Materinya <jelas> & pas")
    assert await _stars(services) == [(booking, 4, "Materinya <jelas> & pas")]
    assert await services.dialogs.current(SITI) is None


async def test_only_the_attendee_may_rate_their_booking(services: Services) -> None:
    booking = await _booking(services, SITI)
    not_there = await _booking(services, BUDI, attended=False)
    for user_id, booking_id, stars in (
        (BUDI, booking, 5),
        (BUDI, not_there, 5),
        (SITI, booking, 6),
    ):
        with pytest.raises(StaleAction):
            await services.feedback.rated(user_id, booking_id, stars)
    assert await _stars(services) == []
    assert await services.dialogs.current(BUDI) is None
    assert await services.dialogs.current(SITI) is None


async def test_skip_ends_only_the_feedback_of_its_booking(services: Services) -> None:
    first, second = await _booking(services, SITI), await _booking(services, SITI)
    await services.feedback.rated(SITI, second, 5)
    with pytest.raises(StaleAction):  # the skip button of an earlier question
        await services.feedback.skip_comment(SITI, first)
    assert await services.dialogs.current(SITI) is not None
    await services.feedback.skip_comment(SITI, second)
    assert await services.dialogs.current(SITI) is None
    assert await _stars(services) == [(second, 5, None)]
    with pytest.raises(StaleAction):
        await services.feedback.skip_comment(SITI, second)  # a double tap


async def test_a_comment_with_no_feedback_waiting_is_stale(services: Services) -> None:
    await services.profile.start_edit(SITI, "business_name")
    with pytest.raises(StaleAction):
        await services.feedback.received_comment(SITI, "Bagus")
    with pytest.raises(StaleAction):
        await services.feedback.skip_comment(SITI, 1)
    dialog = await services.dialogs.current(SITI)
    assert dialog is not None and dialog.flow == "profile"  # the other conversation goes on


async def test_a_tap_is_read_from_its_choice_id_and_a_foreign_one_is_stale(
    services: Services,
) -> None:
    booking = await _booking(services, SITI)
    for forged in (None, "fb:v1:x:5", f"fb:v1:{booking}:lots", f"bk:v1:{booking}:5", "fb:v1:1"):
        with pytest.raises(StaleAction):
            await services.feedback.tapped(SITI, forged)
    assert await _stars(services) == []
    rated = await services.feedback.tapped(SITI, f"fb:v1:{booking}:4")
    assert rated == Tapped(booking, 4)
    skipped = await services.feedback.tapped(SITI, f"fb:v1:{booking}:skip")
    assert skipped == Tapped(booking, None)
    assert await _stars(services) == [(booking, 4, None)]
    assert await services.dialogs.current(SITI) is None


def test_a_photo_for_the_comment_says_why_and_asks_again_with_skip(services: Services) -> None:
    again = comment_refused(services.catalog, "id", 7, Received.LOCATION)
    assert again.text.startswith("Terima kasih, tapi untuk pertanyaan ini saya perlu jawaban")
    assert [c.id for c in again.choices] == ["fb:v1:7:skip"]


async def test_what_is_sent_at_the_comment_question_is_answered_once_for_every_channel(
    services: Services,
) -> None:
    step, catalog = services.feedback.comment_step, services.catalog
    assert await step(SITI, Received.MEDIA, None, language="id") is None  # nothing awaited
    booking = await _booking(services, SITI)
    await services.feedback.rated(SITI, booking, 5)

    photo = await step(SITI, Received.MEDIA, None, language="id")
    assert photo is not None and photo.asks
    assert photo.notice.text.startswith("Maaf, saya perlu jawaban berupa tulisan")
    assert [c.id for c in photo.notice.choices] == [f"fb:v1:{booking}:skip"]
    emoji = await step(SITI, Received.TEXT, "🙂", language="id")
    assert emoji is not None and not emoji.asks
    assert emoji.notice.text == catalog.text("id", "input.no_letters")
    assert await services.dialogs.current(SITI) is not None  # still asked

    kept = await step(SITI, Received.TEXT, "Jelas & <praktis>", language="id")
    assert kept is not None and not kept.asks
    assert kept.notice.text == catalog.text("id", "feedback.saved")
    assert await _stars(services) == [(booking, 5, "Jelas & <praktis>")]
    late = await step(SITI, Received.TEXT, "Satu lagi", language="id")
    assert late is not None and late.notice.text == catalog.text("id", CLOSED) and not late.asks

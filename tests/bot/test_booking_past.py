"""A session that has ended no longer holds an owner's place (issue 19, point 1).

The programme runs in stages: whoever took part in one session (or booked it and stayed
away) books the next. Service tests on a real temporary SQLite file with the fake clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.errors import BookingRefused
from bot.core.models import BookingStatus, TrainingSession
from bot.core.notices import ChannelName
from bot.services.sessions import SessionDraft
from tests.harness import START, FakeClock
from tests.services.conftest import sign_up

STAFF_TELEGRAM_ID, SITI = 9001, 1001
SATURDAY_9 = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # 09.00–11.00 WIB
WEEK = timedelta(days=7)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def services(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    env = {
        "DODOLAN_DATABASE": str(tmp_path / "db.sqlite3"),
        "DODOLAN_STAFF_IDS": str(STAFF_TELEGRAM_ID),
    }
    started = await Services.start(load_settings(env, require_token=False), clock)
    assert started.settings.max_active_bookings == 1  # the default: one session at a time
    await sign_up(started, SITI, "Siti")
    yield started
    await started.close()


async def _staff(services: Services) -> int:
    """The internal id the settings' member of staff was registered under at start-up."""
    staff = await services.identities.user_for(ChannelName.TELEGRAM, str(STAFF_TELEGRAM_ID))
    assert staff is not None
    return staff


async def _session(services: Services, title: str, starts: datetime) -> TrainingSession:
    draft = SessionDraft(title, starts, starts + timedelta(hours=2), 5, "Aula")
    return await services.sessions.create(draft, await _staff(services))


async def _status(services: Services, booking_id: int) -> str:
    row = await services.db.fetch_one("SELECT status FROM bookings WHERE id = ?", (booking_id,))
    assert row is not None
    return str(row["status"])


async def test_an_attended_session_that_ended_lets_the_owner_book_the_next(
    services: Services, clock: FakeClock
) -> None:
    first = await _session(services, "Sesi 1: Foto produk", SATURDAY_9)
    second = await _session(services, "Sesi 2: Judul produk", SATURDAY_9 + WEEK)
    booked = (await services.booking.book(SITI, first.id)).booking.id
    with pytest.raises(BookingRefused) as refused:  # while session 1 is ahead: one at a time
        await services.booking.book(SITI, second.id)
    assert refused.value.key == "booking.limit"
    await services.attendance.mark(await _staff(services), booked, attended=True)

    clock.moment = first.ends_at  # session 1 is over
    view = await services.booking.book(SITI, second.id)

    assert view.booking.status == BookingStatus.CONFIRMED
    assert await _status(services, booked) == "confirmed"  # the past seat stays as it was
    assert [v.session.id for v in await services.booking.current(SITI)] == [second.id]


async def test_an_ended_booking_the_owner_missed_does_not_block_either(
    services: Services, clock: FakeClock
) -> None:
    first = await _session(services, "Sesi 1", SATURDAY_9)
    second = await _session(services, "Sesi 2", SATURDAY_9 + WEEK)
    missed = (await services.booking.book(SITI, first.id)).booking.id

    clock.moment = first.ends_at + timedelta(minutes=1)
    view = await services.booking.book(SITI, second.id)

    assert view.booking.status == BookingStatus.CONFIRMED
    assert await _status(services, missed) == "confirmed"  # not attended, not cancelled


async def test_a_session_under_way_still_counts(services: Services, clock: FakeClock) -> None:
    first = await _session(services, "Sesi 1", SATURDAY_9)
    second = await _session(services, "Sesi 2", SATURDAY_9 + WEEK)
    await services.booking.book(SITI, first.id)
    clock.moment = first.ends_at - timedelta(minutes=1)
    with pytest.raises(BookingRefused) as refused:
        await services.booking.book(SITI, second.id)
    assert refused.value.key == "booking.limit"


async def test_mine_shows_what_is_coming_then_past_sessions_attended_or_not(
    services: Services, clock: FakeClock
) -> None:
    one = await _session(services, "Sesi 1", SATURDAY_9)
    two = await _session(services, "Sesi 2", SATURDAY_9 + WEEK)
    three = await _session(services, "Sesi 3", SATURDAY_9 + 2 * WEEK)
    attended = (await services.booking.book(SITI, one.id)).booking.id
    await services.attendance.mark(await _staff(services), attended, attended=True)
    clock.moment = one.ends_at
    await services.booking.book(SITI, two.id)
    clock.moment = two.ends_at
    await services.booking.book(SITI, three.id)

    mine = await services.booking.mine(SITI)

    assert [v.session.id for v in mine.upcoming] == [three.id]
    assert [v.session.id for v in mine.past] == [two.id, one.id]  # the latest first
    assert [v.booking.attended_at is not None for v in mine.past] == [False, True]
    assert all(v.ended for v in mine.past) and not mine.upcoming[0].ended


async def test_an_ended_booking_can_no_longer_be_cancelled_moved_or_answered(
    services: Services, clock: FakeClock
) -> None:
    first = await _session(services, "Sesi 1", SATURDAY_9)
    second = await _session(services, "Sesi 2", SATURDAY_9 + WEEK)
    booked = (await services.booking.book(SITI, first.id)).booking.id
    clock.moment = first.ends_at
    booking = services.booking
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: booking.changeable(SITI, booked),
        lambda: booking.cancel(SITI, booked),
        lambda: booking.move(SITI, booked, second.id),
        lambda: booking.will_attend(SITI, booked),
    ]
    for attempt in attempts:
        with pytest.raises(BookingRefused) as refused:
            await attempt()
        assert refused.value.key == "past_bookings.over"
    assert await _status(services, booked) == "confirmed"
    rows = await services.db.fetch_all(
        "SELECT id FROM bookings WHERE session_id = ?", (second.id,)
    )
    assert rows == []


async def test_erasing_data_releases_only_what_is_ahead(
    services: Services, clock: FakeClock
) -> None:
    first = await _session(services, "Sesi 1", SATURDAY_9)
    second = await _session(services, "Sesi 2", SATURDAY_9 + WEEK)
    past = (await services.booking.book(SITI, first.id)).booking.id
    clock.moment = first.ends_at
    ahead = (await services.booking.book(SITI, second.id)).booking.id
    await services.booking.release_all(SITI)
    assert await _status(services, ahead) == "cancelled"
    assert await _status(services, past) == "confirmed"

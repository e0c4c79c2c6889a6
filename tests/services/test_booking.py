"""BookingService: seats, the waitlist and its offers, moves, on a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app.container import Services
from bot.core.errors import BookingRefused, NotRegistered, StaleAction
from bot.core.models import BookingStatus, SessionStatus
from tests.harness import FakeClock
from tests.services.conftest import (
    BUDI,
    DEWI,
    SATURDAY_9,
    SITI,
    STAFF,
    booking_status,
    kinds,
    new_session,
    queued,
    sign_up,
)


@pytest.fixture
async def owners(services: Services) -> Services:
    for user_id, name in ((SITI, "Siti"), (BUDI, "Budi"), (DEWI, "Dewi")):
        await sign_up(services, user_id, name)
    return services


async def test_a_seat_is_stored_with_its_reply_and_reminders(owners: Services) -> None:
    session = await new_session(owners)
    view = await owners.booking.book(SITI, session.id)
    assert view.booking.status == BookingStatus.CONFIRMED and view.rank is None
    assert await booking_status(owners, view.booking.id) == "confirmed"
    pending = await kinds(owners, SITI)
    assert "booking_confirmed" in pending
    assert pending.count("reminder") == 2  # the day before at 08.00, and two hours before
    assert (await owners.sessions.get(session.id)).seats_left == 1  # type: ignore[union-attr]


async def test_a_full_session_queues_the_owner_in_order(owners: Services) -> None:
    session = await new_session(owners, capacity=1)
    await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    dewi = await owners.booking.book(DEWI, session.id)
    assert budi.booking.status == BookingStatus.WAITLISTED and budi.rank == 1
    assert dewi.rank == 2
    assert "waitlist_joined" in await kinds(owners, BUDI)
    assert "reminder" not in await kinds(owners, BUDI)  # no reminders for a queue place


async def test_a_card_tapped_before_the_seat_filled_is_refused_not_queued(
    owners: Services,
) -> None:
    session = await new_session(owners, capacity=1)
    await owners.booking.book(SITI, session.id)
    with pytest.raises(BookingRefused) as refused:
        await owners.booking.book(BUDI, session.id, waitlist=False)
    assert refused.value.key == "booking.just_filled"
    assert await owners.booking.current(BUDI) == []


RACERS = 90
SEATS = 12


async def test_owners_racing_for_the_seats_get_exactly_them_then_queue_in_order_when_asked(
    services: Services,
) -> None:
    """The rule behind the e2e race (tests/e2e/test_booking.py, a smoke run of it there): all
    at once, on the one database, the first SEATS taps take the seats, every later tap of a
    stale card is refused without queueing, and those who then ask are queued 1, 2, 3..."""
    racers = list(range(40_000, 40_000 + RACERS))
    for user_id in racers:
        await sign_up(services, user_id, f"Owner {user_id}")
    session = await new_session(services, capacity=SEATS)
    taps = await asyncio.gather(
        *(services.booking.book(u, session.id, waitlist=False) for u in racers),
        return_exceptions=True,
    )
    seated = [u for u, tap in zip(racers, taps, strict=True) if not isinstance(tap, Exception)]
    late = [u for u, tap in zip(racers, taps, strict=True) if isinstance(tap, BookingRefused)]
    assert len(seated) == SEATS and len(late) == RACERS - SEATS
    assert {tap.key for tap in taps if isinstance(tap, BookingRefused)} == {"booking.just_filled"}
    for user_id in late:  # nobody was queued without asking
        assert await services.booking.current(user_id) == []
    queued_views = await asyncio.gather(*(services.booking.book(u, session.id) for u in late))
    assert sorted(view.rank or 0 for view in queued_views) == list(range(1, len(late) + 1))
    assert {view.booking.status for view in queued_views} == {BookingStatus.WAITLISTED}
    assert (await services.sessions.get(session.id)).seats_left == 0  # type: ignore[union-attr]


async def test_someone_not_signed_up_cannot_book(services: Services) -> None:
    session = await new_session(services)
    await services.users.seen(SITI, "id")
    with pytest.raises(NotRegistered):
        await services.booking.book(SITI, session.id)


async def test_one_place_per_session_and_one_session_at_a_time(owners: Services) -> None:
    first = await new_session(owners)
    second = await new_session(owners, "Judul Produk", SATURDAY_9 + timedelta(days=7))
    await owners.booking.book(SITI, first.id)
    with pytest.raises(BookingRefused) as again:
        await owners.booking.book(SITI, first.id)
    assert again.value.key == "booking.already_in_session"
    with pytest.raises(BookingRefused) as limit:
        await owners.booking.book(SITI, second.id)
    assert limit.value.key == "booking.limit" and limit.value.params == {"limit": 1}


@pytest.mark.parametrize(
    ("when", "key"),
    [
        ("cancelled", "booking.session_gone"),
        ("closed", "booking.closed"),
        ("started", "booking.past"),
    ],
)
async def test_a_session_that_cannot_be_booked_says_why(
    owners: Services, clock: FakeClock, when: str, key: str
) -> None:
    session = await new_session(owners)
    if when == "cancelled":
        await owners.sessions.cancel(session.id)
    elif when == "closed":
        await owners.sessions.set_status(session.id, SessionStatus.CLOSED)
    else:
        clock.moment = session.starts_at
    with pytest.raises(BookingRefused) as refused:
        await owners.booking.book(SITI, session.id)
    assert refused.value.key == key
    assert await owners.booking.current(SITI) == []


async def test_a_cancelled_seat_is_offered_to_the_first_waiting(owners: Services) -> None:
    session = await new_session(owners, capacity=1)
    siti = await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    await owners.booking.book(DEWI, session.id)
    await owners.booking.cancel(SITI, siti.booking.id)
    assert await booking_status(owners, siti.booking.id) == "cancelled"
    assert await booking_status(owners, budi.booking.id) == "offered"
    assert "seat_offer" in await kinds(owners, BUDI)
    assert "waitlist_moved" in await kinds(owners, DEWI)  # Dewi is now first in the queue
    assert "reminder" not in await kinds(owners, SITI)  # her reminders went with the seat
    assert [r["kind"] for r in await queued(owners, SITI, "cancelled")].count("reminder") == 2


async def test_an_offer_taken_in_time_becomes_a_seat(owners: Services, clock: FakeClock) -> None:
    session = await new_session(owners, capacity=1)
    siti = await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    await owners.booking.cancel(SITI, siti.booking.id)
    clock.advance(hours=11)  # the offer holds for 12 hours
    taken = await owners.booking.accept_offer(BUDI, budi.booking.id)
    assert taken.booking.status == BookingStatus.CONFIRMED
    assert "reminder" in await kinds(owners, BUDI)
    with pytest.raises(StaleAction):  # a second tap on the same offer changes nothing
        await owners.booking.accept_offer(BUDI, budi.booking.id)


async def test_an_offer_not_taken_expires_and_moves_on(owners: Services, clock: FakeClock) -> None:
    session = await new_session(owners, capacity=1)
    siti = await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    dewi = await owners.booking.book(DEWI, session.id)
    await owners.booking.cancel(SITI, siti.booking.id)
    clock.advance(hours=12, minutes=1)
    with pytest.raises(BookingRefused) as late:
        await owners.booking.accept_offer(BUDI, budi.booking.id)
    assert late.value.key == "booking.offer_expired"
    assert await owners.booking.expire() == 1
    assert await booking_status(owners, budi.booking.id) == "expired"
    assert "offer_expired" in await kinds(owners, BUDI)
    assert await booking_status(owners, dewi.booking.id) == "offered"


async def test_a_declined_offer_goes_to_the_next(owners: Services) -> None:
    session = await new_session(owners, capacity=1)
    siti = await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    dewi = await owners.booking.book(DEWI, session.id)
    await owners.booking.cancel(SITI, siti.booking.id)
    await owners.booking.decline_offer(BUDI, budi.booking.id)
    assert await booking_status(owners, budi.booking.id) == "declined"
    assert await booking_status(owners, dewi.booking.id) == "offered"


async def test_a_waitlist_ends_when_its_session_starts(owners: Services, clock: FakeClock) -> None:
    session = await new_session(owners, capacity=1)
    await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    clock.moment = session.starts_at
    assert await owners.booking.expire() == 1
    assert await booking_status(owners, budi.booking.id) == "expired"
    assert "waitlist_ended" in await kinds(owners, BUDI)


async def test_a_move_keeps_the_old_seat_unless_the_new_one_is_taken(owners: Services) -> None:
    first = await new_session(owners)
    full = await new_session(owners, "Judul Produk", SATURDAY_9 + timedelta(days=7), 1)
    free = await new_session(owners, "Harga", SATURDAY_9 + timedelta(days=14))
    await owners.booking.book(BUDI, full.id)
    siti = await owners.booking.book(SITI, first.id)
    with pytest.raises(BookingRefused) as refused:
        await owners.booking.move(SITI, siti.booking.id, full.id)
    assert refused.value.key == "booking.move_full"
    assert await booking_status(owners, siti.booking.id) == "confirmed"
    moved = await owners.booking.move(SITI, siti.booking.id, free.id)
    assert moved.session.id == free.id and moved.booking.status == BookingStatus.CONFIRMED
    assert await booking_status(owners, siti.booking.id) == "cancelled"
    with pytest.raises(BookingRefused) as same:
        await owners.booking.move(SITI, moved.booking.id, free.id)
    assert same.value.key == "booking.already_in_session"


async def test_another_owners_booking_is_stale(owners: Services) -> None:
    session = await new_session(owners)
    siti = await owners.booking.book(SITI, session.id)
    for act in (owners.booking.cancel, owners.booking.will_attend, owners.booking.changeable):
        with pytest.raises(StaleAction):
            await act(BUDI, siti.booking.id)
    assert await booking_status(owners, siti.booking.id) == "confirmed"


async def test_a_checked_in_seat_cannot_be_given_up(owners: Services, clock: FakeClock) -> None:
    session = await new_session(owners)
    siti = await owners.booking.book(SITI, session.id)
    clock.moment = session.starts_at
    await owners.attendance.mark(STAFF, siti.booking.id, attended=True)
    with pytest.raises(BookingRefused) as refused:
        await owners.booking.cancel(SITI, siti.booking.id)
    assert refused.value.key == "booking.checked_in"


async def test_i_will_be_there_is_remembered(owners: Services) -> None:
    session = await new_session(owners)
    siti = await owners.booking.book(SITI, session.id)
    assert not await owners.booking.said_coming(siti.booking.id)
    await owners.booking.will_attend(SITI, siti.booking.id)
    assert await owners.booking.said_coming(siti.booking.id)


async def test_release_all_frees_every_place_for_the_next(owners: Services) -> None:
    session = await new_session(owners, capacity=1)
    await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    await owners.booking.release_all(SITI)
    assert await owners.booking.current(SITI) == []
    assert await booking_status(owners, budi.booking.id) == "offered"

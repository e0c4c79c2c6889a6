"""The book/wait tap as one core step, on a real SQLite file with the fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app.container import Services
from bot.core.errors import BookingRefused, NotRegistered
from bot.core.models import TrainingSession
from bot.services.booking import BookingView
from bot.services.booking_steps import JUST_FILLED, SIGN_UP_FIRST, Taken, take_place
from bot.services.session_links import payload_for
from bot.services.sessions import SessionDraft
from storage.owners import OwnerRepository
from tests.bot.test_delivery_seam import START, services_at, signed_up
from tests.harness import FakeClock

SITI, DEWI = 5001, 5002


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    services = await services_at(tmp_path, FakeClock(START))
    for user_id in (SITI, DEWI):
        await services.users.seen(user_id, "id")
    yield services
    await services.close()


async def a_session(services: Services, seats: int = 20) -> TrainingSession:
    starts = START + timedelta(days=2)
    return await services.sessions.create(
        SessionDraft("Foto produk", starts, starts + timedelta(hours=2), seats, "Aula"),
        created_by=None,
    )


async def take(services: Services, user_id: int, session_id: int) -> Taken:
    return await take_place(
        services.booking,
        services.sessions,
        services.signup,
        user_id,
        session_id,
        waitlist=False,
    )


async def test_a_signed_up_owner_takes_a_seat(services: Services) -> None:
    session = await a_session(services)
    await signed_up(services, SITI, "Siti")

    taken = await take(services, SITI, session.id)

    assert taken.view is not None and taken.view.booking.session_id == session.id
    assert taken.dialog is None and taken.lead is None


async def test_someone_not_signed_up_starts_sign_up_remembering_the_session(
    services: Services,
) -> None:
    session = await a_session(services)

    taken = await take(services, SITI, session.id)

    assert taken.view is None and taken.lead == SIGN_UP_FIRST
    assert taken.dialog is not None and taken.session == session
    remembered = await OwnerRepository(services.db).pending_start(SITI)
    assert remembered == payload_for(session)


async def test_a_seat_filled_since_the_card_was_sent_shows_the_card_again(
    services: Services,
) -> None:
    session = await a_session(services, seats=1)
    for user_id, name in ((SITI, "Siti"), (DEWI, "Dewi")):
        await signed_up(services, user_id, name)
    await services.booking.book(DEWI, session.id, waitlist=False)

    taken = await take(services, SITI, session.id)

    assert taken.view is None and taken.dialog is None
    assert taken.lead == JUST_FILLED and taken.session is not None


async def test_someone_who_signed_up_meanwhile_sees_the_session_again(services: Services) -> None:
    session = await a_session(services)
    await signed_up(services, SITI, "Siti")  # her sign-up finished after the tap was refused

    class NotYet:
        async def book(
            self, user_id: int, session_id: int, *, waitlist: bool = True
        ) -> BookingView:
            raise NotRegistered(user_id)

    taken = await take_place(
        NotYet(), services.sessions, services.signup, SITI, session.id, waitlist=False
    )

    assert taken.session == session and taken.dialog is None and taken.lead is None


async def test_a_session_that_never_was_is_a_stale_tap(services: Services) -> None:
    await signed_up(services, DEWI, "Dewi")

    assert (await take(services, SITI, 999)).unknown  # not signed up: nothing to sign up for
    with pytest.raises(BookingRefused, match="session_gone"):
        await take(services, DEWI, 999)  # signed up: the booking's own answer

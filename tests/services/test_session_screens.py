"""The session and booking screens every channel renders: what each offers, and when."""

from __future__ import annotations

from datetime import timedelta

from bot.app.container import Services
from bot.core import choices as ids
from bot.core.notices import Notice
from bot.services import session_screens
from bot.services.owner_screens import Room
from tests.harness import FakeClock
from tests.services.conftest import BUDI, SATURDAY_9, SITI, new_session, sign_up


def _ids(notice: Notice) -> list[str]:
    return [c.id for c in notice.choices]


async def test_a_card_offers_a_seat_then_the_waitlist_then_nothing(
    services: Services, clock: FakeClock
) -> None:
    await sign_up(services, SITI, "Siti")
    catalog, tz = services.catalog, services.settings.timezone
    session = await new_session(services, capacity=1)

    async def card() -> list[str]:
        fresh = await services.sessions.get(session.id)
        assert fresh is not None
        return _ids(session_screens.session_screen(catalog, "id", fresh, tz, {}, now=clock()))

    assert await card() == [ids.pack(ids.BOOKING, "book", str(session.id))]
    await services.booking.book(SITI, session.id)
    assert await card() == [ids.pack(ids.BOOKING, "wait", str(session.id))]
    clock.moment = session.cutoff_at  # registration closed
    assert await card() == []


async def test_a_seat_can_be_moved_or_cancelled_a_queue_place_left(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    catalog, tz = services.catalog, services.settings.timezone
    session = await new_session(services, capacity=1)
    seat = await services.booking.book(SITI, session.id)
    place = await services.booking.book(BUDI, session.id)
    seat_ids = _ids(session_screens.booking_screen(catalog, "id", seat, tz, {}))
    assert [i.split(":")[2] for i in seat_ids] == ["movelist", "cancelask"]
    place_screen = session_screens.booking_screen(catalog, "id", place, tz, {})
    assert [i.split(":")[2] for i in _ids(place_screen)] == ["cancelask"]
    assert "1" in place_screen.text  # first in the queue
    question = session_screens.cancel_question(catalog, "id", seat, tz, {})
    assert [i.split(":")[2] for i in _ids(question)] == ["cancel", "keep"]


async def test_a_long_list_fits_a_narrow_room(services: Services) -> None:
    catalog, tz = services.catalog, services.settings.timezone
    sessions = [
        await new_session(
            services,
            f"Sesi {n}: Foto produk yang menarik pembeli di marketplace",
            starts=SATURDAY_9 + timedelta(days=7 * n),
        )
        for n in range(1, 5)
    ]
    narrow = Room(buttons=3, title=20, row_title=24)
    listing = session_screens.schedule(catalog, "id", sessions, tz, narrow)
    assert len(listing.choices) == 4
    assert all(len(c.title) <= 24 for c in listing.choices)
    assert all(c.title.endswith("…") or len(c.title) < 24 for c in listing.choices)

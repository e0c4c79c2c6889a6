"""Owners' own notices: the star question after a session, and "get ready" tips before it."""

from __future__ import annotations

from bot.app.container import Services
from bot.app.delivery import programme_builders
from bot.core import choices as ids
from tests.harness import FakeClock
from tests.services.conftest import SITI, STAFF, new_session, sign_up


async def test_an_attendee_is_asked_for_one_to_five_stars(
    services: Services, clock: FakeClock
) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services, "Foto Produk dengan HP")
    view = await services.booking.book(SITI, session.id)
    clock.moment = session.starts_at
    await services.attendance.mark(STAFF, view.booking.id, attended=True)
    (row,) = [m for m in await services.outbox.pending_for(SITI) if m.kind == "feedback"]
    notice = await programme_builders(services).build["feedback"](row, "id", clock())
    assert notice is not None and "Foto Produk dengan HP" in notice.text
    assert [c.id for c in notice.choices] == [
        ids.pack(ids.FEEDBACK, str(view.booking.id), str(n)) for n in range(1, 6)
    ]


async def test_a_get_ready_tip_is_void_once_the_seat_is_given_up(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    view = await services.booking.book(SITI, session.id)
    tips = [m for m in await services.outbox.pending_for(SITI) if m.kind == "prep_tip"]
    assert tips  # a session ten days ahead gets its preparation tips
    await services.booking.cancel(SITI, view.booking.id)
    built = await programme_builders(services).build["prep_tip"](tips[0], "id", tips[0].due_at)
    assert built is None

"""The programme's notices, built at send time from the records as they are then."""

from __future__ import annotations

from bot.app.container import Services
from bot.app.delivery import programme_builders
from bot.core import choices as ids
from bot.core.notices import Notice
from tests.services.conftest import BUDI, DEWI, SITI, new_session, sign_up


async def _built(services: Services, user_id: int, kind: str) -> Notice | None:
    builders = programme_builders(services)
    rows = [m for m in await services.outbox.pending_for(user_id) if m.kind == kind]
    return await builders.build[kind](rows[0], "id", services.now())


async def test_a_reminder_asks_will_you_come_until_the_owner_answers(
    services: Services,
) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services, "Foto Produk dengan HP")
    view = await services.booking.book(SITI, session.id)
    asked = await _built(services, SITI, "reminder")
    assert asked is not None and "Foto Produk dengan HP" in asked.text
    assert [c.id for c in asked.choices] == [
        ids.pack(ids.REMINDER, "yes", str(view.booking.id)),
        ids.pack(ids.REMINDER, "no", str(view.booking.id)),
    ]
    await services.booking.will_attend(SITI, view.booking.id)
    answered = await _built(services, SITI, "reminder")
    assert answered is not None and answered.choices == ()
    rows = [m for m in await services.outbox.pending_for(SITI) if m.kind == "reminder"]
    await services.booking.cancel(SITI, view.booking.id)  # a worker had claimed one already
    built = await programme_builders(services).build["reminder"](rows[0], "id", services.now())
    assert built is None  # the seat is gone: the reminder is void, not sent


async def test_an_offer_names_its_deadline_and_is_void_once_taken(services: Services) -> None:
    for user_id, name in ((SITI, "Siti"), (BUDI, "Budi"), (DEWI, "Dewi")):
        await sign_up(services, user_id, name)
    session = await new_session(services, capacity=1)
    siti = await services.booking.book(SITI, session.id)
    budi = await services.booking.book(BUDI, session.id)
    await services.booking.book(DEWI, session.id)
    await services.booking.cancel(SITI, siti.booking.id)
    offer = await _built(services, BUDI, "seat_offer")
    assert offer is not None and offer.params["until"] in offer.text
    assert len(offer.choices) == 2
    moved = await _built(services, DEWI, "waitlist_moved")
    assert moved is not None and moved.params["rank"] == "1"
    await services.booking.accept_offer(BUDI, budi.booking.id)
    assert await _built(services, BUDI, "seat_offer") is None

"""StatsService: the programme at a glance, and participant lists only for who runs a session."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import NotAllowed
from bot.core.models import BookingStatus
from bot.services.stats import fill_rate
from tests.services.conftest import (
    BUDI,
    DEWI,
    SITI,
    STAFF,
    TRAINER,
    make_trainer,
    new_session,
    sign_up,
)


async def test_the_overview_counts_owners_seats_and_the_queue(services: Services) -> None:
    for user_id, name in ((SITI, "Siti"), (BUDI, "Budi"), (DEWI, "Dewi")):
        await sign_up(services, user_id, name)
    session = await new_session(services, capacity=2)
    for user_id in (SITI, BUDI, DEWI):
        await services.booking.book(user_id, session.id)
    await services.profile.erase(DEWI)
    stats = await services.stats.overview()
    assert stats.owners == 2 and stats.erasures == 1
    (fill,) = stats.sessions
    assert (fill.confirmed, fill.waitlisted) == (2, 0) and fill_rate(fill) == 100
    assert stats.by_kecamatan == [("klojen", 2)] and stats.by_category == [("kuliner", 2)]


async def test_participants_are_shown_to_staff_and_the_sessions_trainer_only(
    services: Services,
) -> None:
    await make_trainer(services)
    await sign_up(services, SITI, "Siti")
    theirs = await new_session(services, trainer_id=TRAINER)
    other = await new_session(services, "Lain")
    await services.booking.book(SITI, theirs.id)
    (siti,) = await services.stats.participants(TRAINER, theirs)
    assert (siti.user_id, siti.status, siti.full_name) == (SITI, BookingStatus.CONFIRMED, "Siti")
    assert [s.id for s in await services.stats.visible_sessions(TRAINER, [theirs, other])] == [
        theirs.id
    ]
    assert len(await services.stats.visible_sessions(STAFF, [theirs, other])) == 2
    with pytest.raises(NotAllowed):
        await services.stats.participants(TRAINER, other)
    with pytest.raises(NotAllowed):
        await services.stats.participants(SITI, theirs)

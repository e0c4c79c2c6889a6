"""BroadcastService: one copy per reachable recipient in the outbox, who may send to whom,
stopping, scheduling, and owners who opted out of announcements."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app.container import Services
from bot.core.errors import BookingRefused, NotAllowed, StaleAction
from bot.core.models import Audience, BroadcastStatus
from bot.services.broadcasts import ANNOUNCEMENT, FOLLOWUP, Message
from tests.harness import FakeClock
from tests.services.conftest import (
    BUDI,
    SITI,
    STAFF,
    TRAINER,
    kinds,
    make_trainer,
    new_session,
    queued,
    sign_up,
)

NEWS = Message("Pasar murah UMKM hari Minggu di Alun-alun")


@pytest.fixture
async def owners(services: Services) -> Services:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    return services


async def test_an_announcement_queues_one_copy_for_each_owner_who_wants_them(
    owners: Services,
) -> None:
    await owners.broadcasts.set_announcements(BUDI, on=False)
    sent = await owners.broadcasts.send(STAFF, ANNOUNCEMENT, Audience("all"), NEWS)
    assert sent.status == BroadcastStatus.SENDING
    assert await kinds(owners, SITI) == ["announcement"]
    assert await kinds(owners, BUDI) == []  # she said no to announcements
    assert (await owners.broadcasts.progress(sent.id)).remaining == 1


async def test_nobody_to_reach_is_refused_and_nothing_stored(services: Services) -> None:
    with pytest.raises(BookingRefused) as refused:
        await services.broadcasts.send(STAFF, ANNOUNCEMENT, Audience("all"), NEWS)
    assert refused.value.key == "broadcast.nobody"
    assert await services.broadcasts.history(STAFF) == []


async def test_a_trainer_follows_up_only_with_their_own_sessions_participants(
    owners: Services,
) -> None:
    await make_trainer(owners)
    theirs = await new_session(owners, trainer_id=TRAINER)
    other = await new_session(owners, "Lain")
    await owners.booking.book(SITI, theirs.id)
    with pytest.raises(NotAllowed):
        await owners.broadcasts.send(TRAINER, ANNOUNCEMENT, Audience("all"), NEWS)
    with pytest.raises(NotAllowed):
        await owners.broadcasts.send(TRAINER, FOLLOWUP, Audience("booked", other.id), NEWS)
    with pytest.raises(NotAllowed):  # an owner sends nothing to anyone
        await owners.broadcasts.send(SITI, FOLLOWUP, Audience("booked", theirs.id), NEWS)
    await owners.broadcasts.send(TRAINER, FOLLOWUP, Audience("booked", theirs.id), NEWS)
    assert "announcement" in await kinds(owners, SITI)
    assert "announcement" not in await kinds(owners, BUDI)


async def test_a_stopped_broadcast_cancels_its_unsent_copies(owners: Services) -> None:
    sent = await owners.broadcasts.send(STAFF, ANNOUNCEMENT, Audience("all"), NEWS)
    stopped = await owners.broadcasts.stop(STAFF, sent.id)
    assert stopped.status == BroadcastStatus.STOPPED
    assert await kinds(owners, SITI) == []
    assert [r["kind"] for r in await queued(owners, SITI, "cancelled")] == ["announcement"]
    with pytest.raises(StaleAction):
        await owners.broadcasts.stop(STAFF, sent.id)


async def test_a_scheduled_broadcast_waits_for_its_time(
    owners: Services, clock: FakeClock
) -> None:
    with pytest.raises(BookingRefused) as past:
        await owners.broadcasts.send(
            STAFF, ANNOUNCEMENT, Audience("all"), NEWS, clock() + timedelta(seconds=30)
        )
    assert past.value.key == "broadcast.schedule_past"
    later = clock() + timedelta(hours=3)
    sent = await owners.broadcasts.send(STAFF, ANNOUNCEMENT, Audience("all"), NEWS, later)
    assert sent.status == BroadcastStatus.SCHEDULED
    (copy,) = await queued(owners, SITI)
    assert copy["due_at"].startswith(later.isoformat()[:16])
    (live,) = await owners.broadcasts.advance()
    assert live.status == BroadcastStatus.SCHEDULED
    clock.moment = later
    (live,) = await owners.broadcasts.advance()
    assert live.status == BroadcastStatus.SENDING


async def test_only_staff_see_the_history(owners: Services) -> None:
    await owners.broadcasts.send(STAFF, ANNOUNCEMENT, Audience("all"), NEWS)
    assert len(await owners.broadcasts.history(STAFF)) == 1
    with pytest.raises(NotAllowed):
        await owners.broadcasts.history(SITI)

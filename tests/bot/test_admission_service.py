"""The rush queue's promise: minutes from the measured pace, and one honest word if it slips.

On a real temporary SQLite file with the fake clock; welcomes are "sent" by finishing their
outbox rows, as the edge's delivery would.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.models import OutboxStatus
from bot.services.admission import (
    FLOOR_LEAD,
    FLOOR_SECONDS_PER_WELCOME,
    LEAD,
    MARGIN,
    SLIP,
    SLIP_CHECK_EVERY,
    SLIP_INTERVAL,
    Admission,
    Place,
)
from storage.database import Database
from storage.migrate import migrate
from storage.outbox import OutboxRepository
from storage.users import UserRepository
from tests.harness import FakeClock

PEOPLE = range(100, 400)


@pytest.fixture
async def queue(tmp_path: Path) -> AsyncIterator[tuple[Admission, OutboxRepository, FakeClock]]:
    clock = FakeClock()
    db = await Database.open(tmp_path / "dodolan.sqlite3")
    await migrate(db, clock())
    users = UserRepository(db)
    for user_id in PEOPLE:
        await users.touch(user_id, "id", clock())
    outbox = OutboxRepository(db)
    yield Admission(db, outbox, clock), outbox, clock
    await db.close()


async def welcome_next(admission: Admission, outbox: OutboxRepository, clock: FakeClock) -> None:
    """The edge welcomes whoever waited longest."""
    message_id = await admission.next_waiting()
    assert message_id is not None
    await outbox.claim(message_id)
    await outbox.finish(message_id, OutboxStatus.SENT, clock())
    admission.welcomed()


async def send_slips(
    admission: Admission, outbox: OutboxRepository, clock: FakeClock, renewed: list[Place]
) -> None:
    """The edge sends each slip notice queued, and records it as told once sent."""
    for place in renewed:
        assert place.notice_id is not None
        notice = await outbox.claim(place.notice_id)
        assert notice is not None and notice.kind == SLIP
        assert await admission.slip_place(notice, clock()) == place
        await admission.told(notice, clock())
        await outbox.finish(notice.id, OutboxStatus.SENT, clock())


def promised(place: int, seconds_each: float, lead: timedelta = LEAD) -> int:
    return max(1, math.ceil((lead.total_seconds() + place * seconds_each * MARGIN) / 60))


async def test_the_promise_follows_the_pace_the_queue_really_moves_at(
    queue: tuple[Admission, OutboxRepository, FakeClock],
) -> None:
    admission, outbox, clock = queue
    people = iter(PEOPLE)
    first = await admission.queue(next(people), "Siti")  # nothing measured yet: the floor
    assert first.place == 1
    assert first.minutes == promised(1, FLOOR_SECONDS_PER_WELCOME, FLOOR_LEAD) == 2
    for _ in range(60):
        await admission.queue(next(people), "Orang")
    for _ in range(15):  # the queue moves slowly: one welcome every 4 s
        clock.advance(seconds=4)
        await welcome_next(admission, outbox, clock)
    slow = await admission.queue(next(people), "Wati")
    assert slow.place == 47
    assert slow.minutes == promised(47, 4.0) == 5  # not the 1 minute a fixed guess gave

    for _ in range(60):  # then it speeds up to one a second: the window forgets the slow part
        clock.advance(seconds=1)
        await admission.queue(next(people), "Orang")
        await welcome_next(admission, outbox, clock)
    fast = await admission.queue(next(people), "Joko")
    assert fast.place == 48
    assert fast.minutes == promised(48, 1.0) == 2

    again = await admission.queue(fast.user_id, "Joko")  # asking again keeps place and promise
    assert (again.place, again.minutes) == (48, 2)


async def test_a_slipped_promise_is_told_once_with_a_new_one(
    queue: tuple[Admission, OutboxRepository, FakeClock],
) -> None:
    admission, outbox, clock = queue
    siti = await admission.queue(100, "Siti")
    wati = await admission.queue(101, "Wati")
    assert (siti.place, wati.place) == (1, 2)
    assert await admission.slipped() == []  # nobody's moment has passed

    clock.advance(minutes=siti.minutes, seconds=1)  # Siti's moment passed, Wati's too
    renewed = await admission.slipped()
    assert [(p.user_id, p.place) for p in renewed] == [(100, 1), (101, 2)]
    assert all(p.minutes >= 1 for p in renewed)
    await send_slips(admission, outbox, clock, renewed)

    clock.advance(seconds=SLIP_CHECK_EVERY.total_seconds())
    assert await admission.slipped() == []  # told once: the new promise holds for now
    await welcome_next(admission, outbox, clock)  # Siti is welcomed

    clock.advance(seconds=max(SLIP_INTERVAL.total_seconds(), 60 * renewed[1].minutes) + 1)
    (later,) = await admission.slipped()  # Wati's new promise slipped too: told once more
    assert (later.user_id, later.place) == (101, 1)
    await send_slips(admission, outbox, clock, [later])
    clock.advance(seconds=SLIP_CHECK_EVERY.total_seconds())
    assert await admission.slipped() == []
    rows = [m for m in await outbox.all_messages() if m.user_id == 101]
    assert rows[0].params["promised_by"] > clock().isoformat()


async def test_a_slip_notice_promises_nothing_until_it_is_sent(
    queue: tuple[Admission, OutboxRepository, FakeClock],
) -> None:
    admission, outbox, clock = queue
    siti = await admission.queue(100, "Siti")
    clock.advance(minutes=siti.minutes, seconds=1)
    (slip,) = await admission.slipped()
    assert slip.notice_id is not None
    (welcome,) = [m for m in await outbox.all_messages() if m.kind != SLIP]
    old_promise = welcome.params["promised_by"]
    assert "renoticed_at" not in welcome.params  # queued, not yet told

    clock.advance(seconds=SLIP_CHECK_EVERY.total_seconds())
    assert await admission.slipped() == []  # one notice on its way: no second one
    notice = await outbox.claim(slip.notice_id)
    assert notice is not None
    await outbox.finish(notice.id, OutboxStatus.FAILED, clock(), error="rejected")
    (welcome,) = [m for m in await outbox.all_messages() if m.kind != SLIP]
    assert welcome.params["promised_by"] == old_promise  # she never heard the new one
    assert "renoticed_at" not in welcome.params

    clock.advance(seconds=SLIP_INTERVAL.total_seconds())
    (again,) = await admission.slipped()  # tried again after the interval
    assert again.user_id == 100 and again.notice_id != slip.notice_id


async def test_the_wait_before_the_first_welcome_does_not_count_against_the_pace(
    queue: tuple[Admission, OutboxRepository, FakeClock],
) -> None:
    admission, outbox, clock = queue
    for user_id in PEOPLE[:80]:
        await admission.queue(user_id, "Orang")
    clock.advance(seconds=50)  # the bot is busy with those already signing up: no welcome yet
    for _ in range(20):  # then the queue moves at one welcome a second
        clock.advance(seconds=1)
        await welcome_next(admission, outbox, clock)
    late = await admission.queue(PEOPLE[80], "Wati")
    assert late.place == 61
    assert late.minutes == promised(61, 19 / 20) == 2  # not the 5 minutes of 20 in 60 s

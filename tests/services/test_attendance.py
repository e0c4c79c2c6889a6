"""AttendanceService: check-in by code, the trainer's tick list, feedback; who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app.container import Services
from bot.core.errors import BookingRefused, InvalidInput, NotAllowed, StaleAction
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


@pytest.fixture
async def ready(services: Services) -> Services:
    await make_trainer(services)
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    return services


async def test_an_owner_checks_in_by_code_once_while_it_is_open(
    ready: Services, clock: FakeClock
) -> None:
    session = await new_session(ready, trainer_id=TRAINER)
    siti = await ready.booking.book(SITI, session.id)
    with pytest.raises(BookingRefused) as early:  # too early for the trainer to show a code
        await ready.attendance.checkin_code(TRAINER, session.id)
    assert early.value.key == "attendance.window_closed"
    clock.moment = session.starts_at - timedelta(minutes=30)
    _, code = await ready.attendance.checkin_code(TRAINER, session.id)
    checked, new = await ready.attendance.check_in(SITI, code)
    assert checked.id == session.id and new
    again = await ready.attendance.check_in(SITI, code)
    assert again[1] is False  # a second scan changes nothing
    head = await ready.attendance.headcount(TRAINER, session.id)
    assert head.attended == 1
    feedback = [r for r in await queued(ready, SITI) if r["kind"] == "feedback"]
    assert len(feedback) == 1 and str(siti.booking.id) in feedback[0]["params"]
    assert feedback[0]["due_at"] >= (session.ends_at + timedelta(hours=1)).isoformat()[:16]


async def test_the_answer_to_a_check_in_is_decided_once_for_every_channel(
    ready: Services, clock: FakeClock
) -> None:
    session = await new_session(ready, trainer_id=TRAINER)
    await ready.booking.book(SITI, session.id)
    clock.moment = session.starts_at
    _, code = await ready.attendance.checkin_code(TRAINER, session.id)
    title = {"title": session.title}
    assert await ready.attendance.checked_in(SITI, code) == ("attendance.checked_in", title)
    assert await ready.attendance.checked_in(SITI, code) == ("attendance.already", title)
    assert await ready.attendance.checked_in(BUDI, code) == ("attendance.not_booked", {})
    assert await ready.attendance.checked_in(BUDI, "nope1234") == ("attendance.unknown_code", {})


async def test_a_code_refuses_those_without_a_seat_and_unknown_codes(
    ready: Services, clock: FakeClock
) -> None:
    session = await new_session(ready, trainer_id=TRAINER)
    clock.moment = session.starts_at
    _, code = await ready.attendance.checkin_code(TRAINER, session.id)
    with pytest.raises(BookingRefused) as not_booked:
        await ready.attendance.check_in(BUDI, code)
    assert not_booked.value.key == "attendance.not_booked"
    with pytest.raises(BookingRefused) as unknown:
        await ready.attendance.check_in(BUDI, "nope1234")
    assert unknown.value.key == "attendance.unknown_code"
    clock.moment = session.ends_at + timedelta(minutes=1)
    with pytest.raises(BookingRefused) as late:
        await ready.attendance.check_in(BUDI, code)
    assert late.value.key == "attendance.window_closed"


async def test_only_the_sessions_trainer_or_staff_may_tick(
    ready: Services, clock: FakeClock
) -> None:
    session = await new_session(ready, trainer_id=TRAINER)
    siti = await ready.booking.book(SITI, session.id)
    clock.moment = session.starts_at
    with pytest.raises(NotAllowed):
        await ready.attendance.mark(BUDI, siti.booking.id, attended=True)
    with pytest.raises(NotAllowed):
        await ready.attendance.roster(SITI, session.id)
    _, changed = await ready.attendance.mark(TRAINER, siti.booking.id, attended=True)
    assert changed
    _, again = await ready.attendance.mark(STAFF, siti.booking.id, attended=True)
    assert not again  # already so: a double tap changes nothing
    _, lines = await ready.attendance.roster(STAFF, session.id)
    assert [line.attended for line in lines] == [True]


async def test_unticking_withdraws_the_feedback_question(
    ready: Services, clock: FakeClock
) -> None:
    session = await new_session(ready, trainer_id=TRAINER)
    siti = await ready.booking.book(SITI, session.id)
    clock.moment = session.starts_at
    await ready.attendance.mark(TRAINER, siti.booking.id, attended=True)
    assert "feedback" in await kinds(ready, SITI)
    await ready.attendance.mark(TRAINER, siti.booking.id, attended=False)
    assert "feedback" not in await kinds(ready, SITI)
    with pytest.raises(StaleAction):
        await ready.attendance.mark(TRAINER, 999_999, attended=True)


async def test_feedback_from_the_attendee_only_and_stars_first(
    ready: Services, clock: FakeClock
) -> None:
    session = await new_session(ready, trainer_id=TRAINER)
    siti = await ready.booking.book(SITI, session.id)
    clock.moment = session.starts_at
    await ready.attendance.mark(TRAINER, siti.booking.id, attended=True)
    with pytest.raises(InvalidInput) as first:
        await ready.attendance.comment(SITI, siti.booking.id, "Bagus")
    assert first.value.key == "feedback.rate_first"
    with pytest.raises(StaleAction):
        await ready.attendance.rate(BUDI, siti.booking.id, 5)
    with pytest.raises(StaleAction):
        await ready.attendance.rate(SITI, siti.booking.id, 6)
    await ready.attendance.rate(SITI, siti.booking.id, 4)
    await ready.attendance.comment(SITI, siti.booking.id, "Sangat membantu")
    (row,) = [s for s in await ready.attendance.summary() if s.session_id == session.id]
    assert row.attended == 1 and row.ratings == 1 and row.average == 4


async def test_a_trainer_sees_their_own_classes_only(ready: Services) -> None:
    mine = await new_session(ready, trainer_id=TRAINER)
    await new_session(ready, "Lain", trainer_id=None)
    assert [s.id for s in await ready.attendance.classes(TRAINER)] == [mine.id]
    with pytest.raises(NotAllowed):
        await ready.attendance.classes(SITI)

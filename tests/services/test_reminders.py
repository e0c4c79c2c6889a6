"""Reminders: when each falls due (in WIB), which are queued, and that they go with a seat."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app.container import Services
from bot.core.errors import ConfigError
from bot.services.reminders import Reminders, lead_time, parse_rules
from tests.harness import FakeClock
from tests.services.conftest import (
    SATURDAY_9,
    SITI,
    TRAINER,
    make_trainer,
    new_session,
    queued,
    sign_up,
)

WIB = ZoneInfo("Asia/Jakarta")


async def _due(services: Services, user_id: int, kind: str) -> list[datetime]:
    return [
        datetime.fromisoformat(r["due_at"]).astimezone(UTC)
        for r in await queued(services, user_id)
        if r["kind"] == kind
    ]


def test_rules_are_read_as_an_operator_writes_them() -> None:
    day_before, two_hours, half_hour = parse_rules("day-before@08:00, 2h, 30m")
    assert day_before.due(SATURDAY_9, WIB) == datetime(2026, 12, 11, 8, 0, tzinfo=WIB)
    assert two_hours.due(SATURDAY_9, WIB) == SATURDAY_9 - timedelta(hours=2)
    assert half_hour.due(SATURDAY_9, WIB) == SATURDAY_9 - timedelta(minutes=30)
    assert lead_time("2h") == timedelta(hours=2) and lead_time("day-before@08:00") is None


@pytest.mark.parametrize("raw", ["day-before@25:00", "besok", "2 jam"])
def test_an_impossible_rule_stops_start_up(raw: str) -> None:
    with pytest.raises(ConfigError):
        parse_rules(raw)


async def test_a_seat_gets_each_reminder_at_its_time(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    await services.booking.book(SITI, session.id)
    assert await _due(services, SITI, "reminder") == [
        datetime(2026, 12, 11, 1, 0, tzinfo=UTC),  # Jumat 08.00 WIB
        datetime(2026, 12, 12, 0, 0, tzinfo=UTC),  # two hours before
    ]


async def test_a_same_day_booking_skips_reminders_already_past(
    services: Services, clock: FakeClock
) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    clock.moment = datetime(2026, 12, 11, 23, 0, tzinfo=UTC)  # Sabtu 06.00 WIB
    await services.booking.book(SITI, session.id)
    assert await _due(services, SITI, "reminder") == [datetime(2026, 12, 12, 0, 0, tzinfo=UTC)]


async def test_a_trainers_reminders_are_replaced_not_doubled(services: Services) -> None:
    await make_trainer(services)
    reminders = Reminders(services.outbox, parse_rules("2h"), WIB)
    session = await new_session(services, trainer_id=TRAINER)
    async with services.db.transaction() as tx:
        assert await reminders.for_trainer(tx, session, services.now()) == 1
        assert await reminders.for_trainer(tx, session, services.now()) == 1
    assert await _due(services, TRAINER, "trainer_reminder") == [SATURDAY_9 - timedelta(hours=2)]


async def test_a_trainer_who_never_wrote_gets_no_reminders(services: Services) -> None:
    await make_trainer(services)
    reminders = Reminders(services.outbox, parse_rules("2h"), WIB)
    session = await new_session(services, trainer_id=TRAINER)
    stranger = replace(session, trainer_id=4242)  # reassigned to someone the bot cannot reach
    async with services.db.transaction() as tx:
        assert await reminders.for_trainer(tx, stranger, services.now()) == 0
    assert await _due(services, TRAINER, "trainer_reminder") == []  # the old trainer's went
    assert await _due(services, 4242, "trainer_reminder") == []


async def test_reminders_go_when_the_booking_ends(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    view = await services.booking.book(SITI, session.id)
    await services.booking.cancel(SITI, view.booking.id)
    assert await _due(services, SITI, "reminder") == []
    assert await _due(services, SITI, "prep_tip") == []

"""Promises in working time: Monday–Friday 08.00–15.00 WIB, holidays skipped."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app.container import hours_of
from bot.app.settings import load_settings
from bot.core.errors import ConfigError
from bot.services.working_hours import working_hours

WIB = ZoneInfo("Asia/Jakarta")
HOURS = working_hours(WIB)


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


@pytest.mark.parametrize(
    ("asked", "promised"),
    [
        (wib(11, 16, 30), wib(14, 9)),  # Friday after closing: Monday morning
        (wib(12, 10), wib(14, 9)),  # Saturday: Monday morning
        (wib(10, 10), wib(10, 14)),  # Thursday 10.00: four working hours later
        (wib(11, 13), wib(14, 10)),  # Friday 13.00: two hours Friday, two Monday
        (wib(14, 7), wib(14, 9)),  # Monday before opening: that morning
    ],
)
def test_the_promise_counts_only_working_time(asked: datetime, promised: datetime) -> None:
    assert HOURS.promised(asked) == promised


def test_holidays_are_skipped() -> None:
    hours = working_hours(WIB, holidays="2026-12-14,2026-12-15")
    assert hours.promised(wib(11, 16, 30)) == wib(16, 9)


def test_working_time_between_two_moments() -> None:
    assert HOURS.between(wib(11, 14), wib(14, 9)) == timedelta(hours=2)
    assert HOURS.between(wib(12, 9), wib(12, 18)) == timedelta(0)


@pytest.mark.parametrize(
    ("days", "hours", "holidays"),
    [("mon-xyz", "08:00-15:00", ""), ("mon-fri", "15:00-08:00", ""), ("mon", "8-9", "x")],
)
def test_bad_settings_name_their_variable(days: str, hours: str, holidays: str) -> None:
    with pytest.raises(ConfigError, match="DODOLAN_"):
        working_hours(WIB, days, hours, holidays)


def test_the_settings_carry_working_hours_and_refuse_bad_ones() -> None:
    token = {"TELEGRAM_BOT_TOKEN": "123456:ABC-working-hours"}
    settings = load_settings({**token, "DODOLAN_HOLIDAYS": "2026-12-25"})
    assert (settings.work_days, settings.work_hours, settings.answer_hours) == (
        "mon-fri",
        "08:00-15:00",
        4,
    )
    assert hours_of(settings).promised(wib(24, 16)) == wib(28, 9)  # Christmas skipped
    with pytest.raises(ConfigError, match="DODOLAN_WORK_HOURS"):
        load_settings({**token, "DODOLAN_WORK_HOURS": "15:00-08:00"})

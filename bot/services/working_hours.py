"""Working hours: when the Dinas answers, and promises counted in working time.

Defaults follow the ministry's own line (Monday–Friday 08.00–15.00 WIB) and East Java's
practice of a promised response time (4 working hours). Holidays are skipped. A question
outside working hours is promised for the next working morning: the opening time plus
``morning`` working time (default one hour: a question at 16.30 on a Friday is promised for
Monday 09.00). Everything is computed from the moment given, never from a wall clock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkingHours:
    """The Dinas's working time: which days, which hours, which holidays, in which zone."""

    tz: ZoneInfo
    opens: time = time(8, 0)
    closes: time = time(15, 0)
    days: frozenset[int] = frozenset(range(5))  # Monday = 0
    holidays: frozenset[date] = field(default_factory=frozenset)
    promise: timedelta = timedelta(hours=4)
    morning: timedelta = timedelta(hours=1)

    def is_working_day(self, day: date) -> bool:
        """Whether the Dinas works on ``day``."""
        return day.weekday() in self.days and day not in self.holidays

    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside working hours."""
        local = moment.astimezone(self.tz)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """The first opening time after ``moment`` (today's if it has not come yet)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time() >= self.opens:
            day += timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(day):
                return datetime.combine(day, self.opens, self.tz)
            day += timedelta(days=1)
        raise ConfigError("DODOLAN_WORK_DAYS", "leaves no working day in a year")

    def add(self, moment: datetime, amount: timedelta) -> datetime:
        """``moment`` plus ``amount`` of working time (starting at the next opening if closed)."""
        current = moment if self.is_open(moment) else self.next_opening(moment)
        left = amount
        while True:
            local = current.astimezone(self.tz)
            closing = datetime.combine(local.date(), self.closes, self.tz)
            room = closing - local
            if left <= room:
                return (local + left).astimezone(moment.tzinfo)
            left -= room
            current = self.next_opening(closing)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """How much working time lies between ``start`` and ``end`` (zero if end is earlier)."""
        total = timedelta(0)
        current = start if self.is_open(start) else self.next_opening(start)
        while current < end:
            local = current.astimezone(self.tz)
            closing = datetime.combine(local.date(), self.closes, self.tz)
            total += min(closing, end.astimezone(self.tz)) - local
            current = self.next_opening(closing)
        return total

    def promised(self, asked_at: datetime) -> datetime:
        """When a question asked at ``asked_at`` will be answered at the latest."""
        if self.is_open(asked_at):
            return self.add(asked_at, self.promise)
        return self.add(self.next_opening(asked_at), self.morning)


def parse_days(raw: str) -> frozenset[int]:
    """ "mon-fri" or "mon,tue,thu" → weekday numbers; ConfigError naming DODOLAN_WORK_DAYS."""
    found: set[int] = set()
    for part in raw.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ConfigError("DODOLAN_WORK_DAYS", "must be days like mon-fri or mon,wed,fri")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        found.update(range(start, end + 1))
    return frozenset(found)


def parse_hours(raw: str) -> tuple[time, time]:
    """ "08:00-15:00" → (08.00, 15.00); ConfigError naming DODOLAN_WORK_HOURS."""
    try:
        first, last = raw.replace(".", ":").split("-")
        opens, closes = time.fromisoformat(first.strip()), time.fromisoformat(last.strip())
    except ValueError:
        raise ConfigError("DODOLAN_WORK_HOURS", "must look like 08:00-15:00") from None
    if opens >= closes:
        raise ConfigError("DODOLAN_WORK_HOURS", "must open before it closes")
    return opens, closes


def parse_holidays(raw: str) -> frozenset[date]:
    """ "2026-12-25,2027-01-01" → dates; ConfigError naming DODOLAN_HOLIDAYS."""
    days: set[date] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        try:
            days.add(date.fromisoformat(part))
        except ValueError:
            raise ConfigError(
                "DODOLAN_HOLIDAYS", f"{part!r} is not a date like 2026-12-25"
            ) from None
    return frozenset(days)


def working_hours(
    tz: ZoneInfo,
    days: str = "mon-fri",
    hours: str = "08:00-15:00",
    holidays: str = "",
    promise_hours: int = 4,
    extra_holidays: Collection[date] = (),
) -> WorkingHours:
    """Working hours from their settings' text forms."""
    opens, closes = parse_hours(hours)
    return WorkingHours(
        tz,
        opens,
        closes,
        parse_days(days),
        parse_holidays(holidays) | frozenset(extra_holidays),
        timedelta(hours=promise_hours),
    )

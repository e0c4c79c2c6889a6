"""When reminders fall due, and queuing them in the outbox alongside the booking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import ConfigError
from bot.core.models import SessionStatus, TrainingSession
from bot.core.ports import ReminderQueue, Transaction
from bot.services import notices
from bot.services.tips import PREP_TIP, prep_schedule

_DAY_BEFORE = re.compile(r"^day-before@(\d{1,2})[:.](\d{2})$")
_HOURS = re.compile(r"^(\d{1,3})h$")
_MINUTES = re.compile(r"^(\d{1,4})m$")
DEFAULT_RULES = "day-before@08:00,2h"


@dataclass(frozen=True)
class ReminderRule:
    """One reminder: the day before at a WIB clock time, or a fixed time before the start."""

    name: str
    at_day_before: time | None = None
    before: timedelta | None = None

    def due(self, starts_at: datetime, tz: ZoneInfo) -> datetime:
        """When this reminder falls due for a session starting at ``starts_at``."""
        if self.before is not None:
            return starts_at - self.before
        assert self.at_day_before is not None
        day = starts_at.astimezone(tz).date() - timedelta(days=1)
        return datetime.combine(day, self.at_day_before, tzinfo=tz)


def parse_rules(raw: str) -> tuple[ReminderRule, ...]:
    """Parse ``DODOLAN_REMINDERS`` (e.g. ``day-before@08:00,2h,30m``)."""
    rules: list[ReminderRule] = []
    for part in (p.strip() for p in raw.split(",")):
        if match := _DAY_BEFORE.match(part):
            hour, minute = int(match[1]), int(match[2])
            if hour > 23 or minute > 59:
                raise ConfigError("DODOLAN_REMINDERS", f"has an impossible time in {part!r}")
            rules.append(ReminderRule(part, at_day_before=time(hour, minute)))
        elif match := _HOURS.match(part):
            rules.append(ReminderRule(part, before=timedelta(hours=int(match[1]))))
        elif match := _MINUTES.match(part):
            rules.append(ReminderRule(part, before=timedelta(minutes=int(match[1]))))
        else:
            raise ConfigError(
                "DODOLAN_REMINDERS", f"has {part!r}; use e.g. day-before@08:00,2h,30m"
            )
    return tuple(rules)


def lead_time(rule_name: str) -> timedelta | None:
    """How long before the start a rule fires (``"5m"``, ``"2h"``); None for the day before."""
    if match := _HOURS.match(rule_name):
        return timedelta(hours=int(match[1]))
    if match := _MINUTES.match(rule_name):
        return timedelta(minutes=int(match[1]))
    return None


def booking_ref(booking_id: int) -> str:
    """The outbox ``ref`` of messages about one booking."""
    return f"booking:{booking_id}"


def trainer_ref(session_id: int) -> str:
    """The outbox ``ref`` of the trainer's reminders for one session."""
    return f"trainer:{session_id}"


@dataclass(frozen=True)
class Reminders:
    """Queue and cancel reminders for bookings and trainers."""

    outbox: ReminderQueue
    rules: tuple[ReminderRule, ...]
    tz: ZoneInfo

    async def for_booking(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        session: TrainingSession,
        now: datetime,
    ) -> int:
        """Queue the owner's reminders (and "get ready" tips); return how many reminders."""
        for step, due in prep_schedule(session.starts_at, now, self.tz):
            params = {"booking_id": booking_id, "step": step}
            await self.outbox.enqueue(
                tx, user_id, PREP_TIP, params, due, now, 3, booking_ref(booking_id)
            )
        return await self._queue(
            tx,
            user_id,
            notices.REMINDER,
            {"booking_id": booking_id},
            booking_ref(booking_id),
            session,
            now,
        )

    async def for_trainer(self, tx: Transaction, session: TrainingSession, now: datetime) -> int:
        """(Re)queue the trainer's reminders for a session."""
        await self.outbox.cancel_ref(tx, trainer_ref(session.id))
        if session.trainer_id is None or session.status == SessionStatus.CANCELLED:
            return 0
        if not await self.outbox.recipient_known(tx, session.trainer_id):
            return 0  # never wrote to the bot: Telegram would refuse the chat
        return await self._queue(
            tx,
            session.trainer_id,
            notices.TRAINER_REMINDER,
            {"session_id": session.id},
            trainer_ref(session.id),
            session,
            now,
        )

    async def cancel_booking(self, tx: Transaction, booking_id: int) -> None:
        """Drop the pending reminders of a booking that ended."""
        await self.outbox.cancel_ref(tx, booking_ref(booking_id))

    async def _queue(
        self,
        tx: Transaction,
        user_id: int,
        kind: str,
        params: dict[str, int],
        ref: str,
        session: TrainingSession,
        now: datetime,
    ) -> int:
        queued = 0
        for rule in self.rules:
            due = rule.due(session.starts_at, self.tz)
            if due <= now or due >= session.starts_at:
                continue  # its moment has passed (e.g. a same-day booking gets no "tomorrow")
            await self.outbox.enqueue(
                tx, user_id, kind, {**params, "rule": rule.name}, due, now, 4, ref
            )
            queued += 1
        return queued

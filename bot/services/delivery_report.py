"""What the outbox holds: pending, failed and uncertain messages, and unreachable owners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.models import OutboxMessage
from bot.core.ports import ProfileReader
from bot.core.repositories import OutboxSummary
from bot.services.booking import BookingView


class UnreachableList(Protocol):
    """Who blocked the bot."""

    async def unreachable(self) -> list[int]:
        """Everyone whose sends are being skipped."""
        ...


class CurrentBookings(Protocol):
    """What an owner is booked for now."""

    async def current(self, user_id: int) -> list[BookingView]:
        """The owner's active bookings, offers and waitlist places."""
        ...


class ReportSources(Protocol):
    """What the report reads (the running bot's services provide each of these)."""

    @property
    def users(self) -> UnreachableList:
        """Who blocked the bot."""
        ...

    @property
    def profile(self) -> ProfileReader:
        """Owners' profiles, for their names."""
        ...

    @property
    def booking(self) -> CurrentBookings:
        """Owners' current bookings."""
        ...

    @property
    def outbox(self) -> OutboxSummary:
        """The outbox's counts and failures."""
        ...


@dataclass(frozen=True)
class UnreachableOwner:
    """An owner who blocked the bot, with what they are booked for."""

    user_id: int
    name: str
    sessions: tuple[str, ...]


@dataclass(frozen=True)
class OutboxReport:
    """A summary for operators and staff."""

    counts: dict[str, dict[str, int]]
    failed: list[tuple[OutboxMessage, str]]
    unreachable: list[UnreachableOwner]

    def total(self, status: str) -> int:
        """Messages with this status (``uncertain``: re-sent after a crash)."""
        return sum(self.counts.get(status, {}).values())


async def outbox_report(services: ReportSources, failed_limit: int = 20) -> OutboxReport:
    """Collect the report from the database."""
    unreachable: list[UnreachableOwner] = []
    for user_id in await services.users.unreachable():
        profile = await services.profile.get(user_id)
        views = await services.booking.current(user_id)
        unreachable.append(
            UnreachableOwner(
                user_id,
                profile.full_name if profile else str(user_id),
                tuple(v.session.title for v in views),
            )
        )
    return OutboxReport(
        counts=await services.outbox.summary(),
        failed=await services.outbox.failed(failed_limit),
        unreachable=unreachable,
    )

"""Repository ports of broadcasts, admission, data rights, the export and the outbox report.

They join the transactions of :class:`bot.core.ports.UnitOfWork` as the ports of
:mod:`bot.core.ports` do; that module holds the unit of work itself, the outbox writer these
extend, and the ports of the session, booking, attendance and tips services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.core.models import (
    Audience,
    Booking,
    Broadcast,
    BroadcastStatus,
    LinkRows,
    OutboxMessage,
    OwnerProfile,
    Recipients,
    SessionFeedback,
    TipCount,
    TrainingSession,
)
from bot.core.notices import SentRef
from bot.core.ports import OutboxWriter, Transaction


class BroadcastStore(Protocol):
    """Announcements and follow-ups, their audiences, and owners' announcement opt-outs."""

    async def recipients(self, audience: Audience, *, respect_opt_out: bool = True) -> Recipients:
        """Resolve an audience now (committed state)."""
        ...

    async def recipients_in(
        self, tx: Transaction, audience: Audience, *, respect_opt_out: bool = True
    ) -> Recipients:
        """Resolve an audience inside the transaction."""
        ...

    async def insert(
        self,
        tx: Transaction,
        *,
        kind: str,
        created_by: int,
        audience: Audience,
        text: str,
        media_kind: str | None,
        buttons: LinkRows,
        status: BroadcastStatus,
        send_at: datetime,
        counts: Recipients,
        now: datetime,
        media_sha256: str | None = None,
        media_name: str | None = None,
    ) -> int:
        """Record a broadcast; return its id."""
        ...

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """One broadcast, committed state."""
        ...

    async def lock(self, tx: Transaction, broadcast_id: int) -> Broadcast | None:
        """One broadcast, read inside the transaction."""
        ...

    async def set_status(
        self, tx: Transaction, broadcast_id: int, status: BroadcastStatus, now: datetime
    ) -> None:
        """Move a broadcast to another status (finished ones get a finish time)."""
        ...

    async def set_status_message(self, broadcast_id: int, message: SentRef) -> None:
        """Remember where the sender watches the progress (its own transaction)."""
        ...

    async def status_message(self, broadcast_id: int) -> SentRef | None:
        """Where the sender watches the progress, if remembered."""
        ...

    async def in_status(self, *statuses: BroadcastStatus) -> list[Broadcast]:
        """Broadcasts in any of ``statuses``, oldest first."""
        ...

    async def history(self, limit: int, created_by: int | None = None) -> list[Broadcast]:
        """The latest broadcasts (optionally of one sender), newest first."""
        ...

    async def delivery(self, broadcast_id: int) -> dict[str, int]:
        """Counts of a broadcast's copies by outcome."""
        ...

    async def set_announcements_off(self, user_id: int, off: bool) -> None:
        """Turn general announcements off or on for one owner (its own transaction)."""
        ...

    async def announcements_off(self, user_id: int) -> bool:
        """Whether the owner turned general announcements off."""
        ...


class QueuedMessages(Protocol):
    """Reads what the outbox still holds for one person."""

    async def pending_for(self, user_id: int) -> list[OutboxMessage]:
        """Messages still queued for one user."""
        ...


class WelcomeQueue(OutboxWriter, QueuedMessages, Protocol):
    """The outbox as admission uses it: newcomers' welcomes queued, counted and withdrawn."""

    async def count_pending(self, kind: str, up_to_id: int | None = None) -> int:
        """How many messages of ``kind`` are still queued (with ``up_to_id``: up to that one)."""
        ...

    async def first_pending(self, kind: str) -> int | None:
        """The id of the oldest message of ``kind`` not yet claimed, if any."""
        ...

    async def queued_of(self, kind: str) -> list[OutboxMessage]:
        """Messages of ``kind`` still queued (pending or being sent), oldest first."""
        ...

    async def set_params(self, tx: Transaction, message_id: int, params: dict[str, Any]) -> bool:
        """Replace a still-pending message's parameters (inside the caller's transaction)."""
        ...


class OutboxSummary(Protocol):
    """What the outbox holds, counted, and its latest failures."""

    async def summary(self) -> dict[str, dict[str, int]]:
        """Counts by status and kind, plus messages re-sent after a crash."""
        ...

    async def failed(self, limit: int = 50) -> list[tuple[OutboxMessage, str]]:
        """The most recent failed messages with their last error."""
        ...


class OwnerListing(Protocol):
    """Reads every owner's profile, for the export."""

    async def owner_profiles(self) -> list[OwnerProfile]:
        """Every owner profile, earliest sign-up first."""
        ...

    async def owner_channels(self) -> dict[int, tuple[str, ...]]:
        """The channels each owner can be reached on, by user id."""
        ...

    async def trainer_names(self) -> dict[int, str]:
        """The names of everyone named as a session's trainer, by user id."""
        ...


class SessionListing(Protocol):
    """Reads every session and every booking, for the export."""

    async def all(self) -> list[TrainingSession]:
        """Every session, soonest first."""
        ...

    async def all_bookings(self) -> list[Booking]:
        """Every booking of any status."""
        ...


class FeedbackReading(Protocol):
    """Reads attendance, ratings and comments per session, for the export."""

    async def per_session(self) -> list[SessionFeedback]:
        """Attendance and average rating per session."""
        ...

    async def comments(self, session_id: int) -> list[tuple[int, str, datetime]]:
        """(stars, comment, when) of a session's commented ratings."""
        ...


class TipCounting(Protocol):
    """Reads how often tips were sent and what readers thought of them."""

    async def counts(self, by: str) -> list[TipCount]:
        """Sent, helpful and not helpful per ``tip`` or per ``topic``, most sent first."""
        ...

"""The storage the WhatsApp edge uses, as ports: storage implements them, the assembly injects.

Each port is named for what one part of the edge does with it: the webhook stores events
(:class:`InboxIntake`), the inbox processor claims and settles them (:class:`InboxQueue`) and
stores the replies they owe (:class:`ReplyLedger`), the owed replies are sent in order
(:class:`ReplyQueue`) and reported (:class:`ReplyReport`), the channel keeps each person's
window, tier count, numbered menu and held notices (:class:`WindowStore`,
:class:`ContactStore`), and Meta's delivery statuses are recorded
(:class:`DeliveryStatusWriter`). The records they carry are in :mod:`bot.core.whatsapp_records`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.core.notices import ChannelName
from bot.core.whatsapp_records import (
    HeldNotice,
    InboxEvent,
    Menu,
    NewInboxEvent,
    NewReply,
    OwedReply,
    TierReservation,
    WindowRecord,
)


class InboxIntake(Protocol):
    """Stores the events of a webhook POST before Meta is told 200."""

    async def store_batch(self, events: list[NewInboxEvent], now: datetime) -> int:
        """Store the events of one POST in one transaction; return how many were new."""
        ...


class InboxQueue(Protocol):
    """Hands stored events out once and records how each ended."""

    async def claim(self, limit: int, now: datetime) -> list[InboxEvent]:
        """Mark up to ``limit`` due events as processing; return them, this attempt counted."""
        ...

    async def done(self, event_id: int, now: datetime) -> None:
        """Record that an event was handled."""
        ...

    async def skip(self, event_ids: list[int], reason: str, now: datetime) -> None:
        """Mark events done without handling them (a flood's surplus), saying why."""
        ...

    async def failed(self, event_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt: queued again at ``retry_at``, or failed for good if None."""
        ...

    async def requeue_interrupted(self) -> int:
        """After a crash, put events left processing back in the queue."""
        ...

    async def next_due(self) -> datetime | None:
        """When the earliest pending event falls due, if any is pending."""
        ...


class ReplyLedger(Protocol):
    """Stores the replies an event owes with its "done", and keeps the queue of them tidy."""

    async def answer(
        self, event_id: int | None, replies: list[NewReply], now: datetime
    ) -> list[int]:
        """Store an event's replies and mark the event done, in one transaction; their ids."""
        ...

    async def due_people(self, now: datetime) -> list[str]:
        """The people with a reply due now, the longest waiting first."""
        ...

    async def requeue_interrupted(self) -> int:
        """After a crash, put replies left sending back, each counted as uncertain."""
        ...

    async def prune(self, before: datetime) -> int:
        """Delete finished replies created before ``before``."""
        ...

    async def next_due(self) -> datetime | None:
        """When the earliest owed reply falls due, if any is owed."""
        ...


class ReplyQueue(Protocol):
    """One person's owed replies, claimed and settled one at a time."""

    async def owed(self, external_id: str) -> list[OwedReply]:
        """The person's replies not yet sent, oldest first."""
        ...

    async def claim(self, reply_id: int) -> bool:
        """Mark a pending reply as being sent; False if it is not pending."""
        ...

    async def finish(
        self,
        reply_id: int,
        status: str,
        now: datetime,
        error: str | None = None,
        *,
        then_claim: int | None = None,
    ) -> bool:
        """Record a reply's outcome and claim the person's next one; whether that claim won."""
        ...

    async def retry_later(
        self, reply_id: int, due_at: datetime, error: str, *, uncertain: bool = False
    ) -> None:
        """Put a reply back in its person's queue (``uncertain``: it may have arrived)."""
        ...

    async def answered_since(self, reply: OwedReply) -> bool:
        """Whether the person was sent an answer to a message newer than ``reply``'s."""
        ...


class ReplyReport(Protocol):
    """What the owed replies look like, for ``dodolan outbox``."""

    async def summary(self) -> dict[str, int]:
        """How many replies are in each status, plus ``uncertain``."""
        ...

    async def waiting(self, limit: int = 10) -> list[OwedReply]:
        """The longest-waiting owed replies, with why they wait."""
        ...


class WindowStore(Protocol):
    """Each person's customer-service window."""

    async def saw_inbound(self, external_id: str, at: datetime) -> None:
        """Record a message from the person (an older one never moves the time back)."""
        ...

    async def window(self, external_id: str) -> WindowRecord | None:
        """The person's window record, if they ever wrote."""
        ...

    async def refused(self, external_id: str, at: datetime) -> None:
        """Record that Meta refused a free-form message to the person as outside the window."""
        ...


class ContactStore(WindowStore, Protocol):
    """What the channel remembers per person: window, tier count, menus, held notices, and
    which messages it sent to whom."""

    async def remember_sent(self, wamid: str, external_id: str, at: datetime) -> None:
        """Note a message the bot sent; forget month-old ones."""
        ...

    async def reserve_tier(self, external_id: str, now: datetime, limit: int) -> TierReservation:
        """Count the person in the moving 24 h unless they are counted or the tier is full."""
        ...

    async def release_tier(self, external_id: str, at: datetime) -> None:
        """Undo a reservation whose send did not go out."""
        ...

    async def tier_used(self, now: datetime) -> int:
        """Unique out-of-window template recipients in the moving 24 h."""
        ...

    async def save_menu(self, external_id: str, choice_ids: tuple[str, ...], at: datetime) -> None:
        """Remember the person's newest numbered menu (replacing an older one)."""
        ...

    async def menu(self, external_id: str) -> Menu | None:
        """The person's newest numbered menu, if one stands."""
        ...

    async def clear_menu(self, external_id: str) -> None:
        """Forget the person's numbered menu."""
        ...

    async def hold(
        self,
        external_id: str,
        kind: str,
        parts: list[dict[str, Any]],
        menu: tuple[str, ...] | None,
        at: datetime,
    ) -> None:
        """Keep the messages of a notice until the person asks for them."""
        ...

    async def held(self, external_id: str) -> list[HeldNotice]:
        """The person's held notices, oldest first."""
        ...

    async def release_held(self, held_id: int) -> None:
        """Forget a held notice (sent, or too old to send)."""
        ...


class DeliveryStatusWriter(Protocol):
    """Keeps the furthest status a channel reported for each message the bot sent."""

    async def record(
        self,
        channel: ChannelName,
        message_id: str,
        status: str,
        now: datetime,
        *,
        error_code: int | None = None,
        error: str | None = None,
    ) -> bool:
        """Keep ``status`` unless a further one is known; return whether it was kept."""
        ...

"""Outcome check-ins after a session, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ORDERS = ("0", "1-5", "6-20", "20+")  # online orders in the last month


@dataclass(frozen=True)
class Checkin:
    """One check-in (1, 3 or 6 months after the session) and its answers so far."""

    id: int
    booking_id: int
    user_id: int
    month: int
    session_id: int
    session_title: str
    due_at: datetime
    sells_online: bool | None
    marketplaces: tuple[str, ...]
    orders: str | None
    obstacle: str | None
    answered_at: datetime | None

    @property
    def complete(self) -> bool:
        """Whether the button questions are answered (the obstacle is optional)."""
        return self.sells_online is not None and self.orders is not None


@dataclass(frozen=True)
class OwnerOutcome:
    """One trained owner (an attended booking): tasks, certificate, answers per month."""

    booking_id: int
    user_id: int
    session_id: int
    session_title: str
    trainer_id: int | None
    owner_name: str
    business_name: str
    kecamatan: str
    category: str
    channel: str
    tasks_given: int
    tasks_done: int
    certified: bool
    sells: dict[int, bool | None]  # month -> sells online (None: not answered)
    orders: dict[int, str | None]  # month -> online orders last month

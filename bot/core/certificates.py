"""Certificates of completion, as stored and as verification reports them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Certificate:
    """One certificate: what the paper says, and whether it still stands."""

    code: str
    booking_id: int | None
    user_id: int | None
    session_id: int
    owner_name: str | None
    business_name: str | None
    session_title: str
    session_date: datetime
    trainer_name: str | None
    issued_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    @property
    def valid(self) -> bool:
        """Whether the certificate still stands."""
        return self.revoked_at is None

"""Everything stored about one person beyond their profile, as /datasaya shows it (UU PDP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.models import BookingStatus, TipDay


@dataclass(frozen=True)
class BookingRecord:
    """One booking of any status, with attendance and the person's feedback."""

    booking_id: int
    session: str
    starts_at: datetime
    status: BookingStatus
    booked_at: datetime
    will_attend_at: datetime | None
    attended_at: datetime | None
    stars: int | None
    comment: str | None
    rated_at: datetime | None


@dataclass(frozen=True)
class TipRecord:
    """A tip the person was sent."""

    tip_id: str
    topic: str
    via: str
    sent_at: datetime


@dataclass(frozen=True)
class TipOpinion:
    """What the person thought of a tip."""

    tip_id: str
    topic: str
    helpful: bool
    at: datetime


@dataclass(frozen=True)
class RoleRecord:
    """A staff or trainer role, with the Telegram name shown to owners."""

    role: str
    source: str
    granted_at: datetime
    display_name: str | None


@dataclass(frozen=True)
class PracticeRecord:
    """A practice task the person was given after a session, and what they answered."""

    task_id: str
    session: str
    status: str
    snoozes: int
    due_at: datetime
    done_at: datetime | None
    help_at: datetime | None


@dataclass(frozen=True)
class FileRecord:
    """A file the person sent that the bot keeps (with a question, as a task's proof)."""

    name: str | None  # the file's name as sent (a photo has none)
    kind: str  # "photo", "document" or "voice"
    mime_type: str
    size: int
    sent_at: datetime
    sent_with: str  # "question" or "practice_task"


@dataclass(frozen=True)
class PersonalRecords:
    """The person's settings, roles and history."""

    announcements_off: bool
    unreachable_since: datetime | None
    start_link: str | None
    daily_tip_slot: str | None
    daily_tip_active: bool
    daily_tip_days: tuple[tuple[str, TipDay], ...]
    roles: tuple[RoleRecord, ...]
    bookings: tuple[BookingRecord, ...]
    tips_received: tuple[TipRecord, ...]
    tip_opinions: tuple[TipOpinion, ...]
    tasks_off: bool = False
    practice_tasks: tuple[PracticeRecord, ...] = ()
    certificates: tuple[tuple[str, str, datetime, bool], ...] = ()  # code, session, issued, valid
    checkins: tuple[dict[str, object], ...] = ()  # outcome check-ins: month and answers
    files: tuple[FileRecord, ...] = ()  # what /hapusdata deletes with the rest

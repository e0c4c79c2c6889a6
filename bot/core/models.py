"""Rows as frozen dataclasses; storage returns these, never raw database rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """What a user may do; every user is an owner, some are also trainer or staff."""

    OWNER = "owner"
    TRAINER = "trainer"
    STAFF = "staff"


@dataclass(frozen=True)
class User:
    """Someone who has written to the bot."""

    id: int
    language: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class Dialog:
    """The step a user is at in a multi-step conversation, with the answers so far."""

    user_id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


PROFILE_FIELDS = (
    "full_name",
    "business_name",
    "category",
    "kecamatan",
    "phone",
    "marketplaces",
    "nib",
)  # an owner's sign-up fields, in the order they are asked and shown


@dataclass(frozen=True)
class OwnerProfile:
    """A UKM owner's sign-up data."""

    user_id: int
    full_name: str
    business_name: str
    category: str
    kecamatan: str
    phone: str
    marketplaces: tuple[str, ...]
    nib: str | None
    registered_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Consent:
    """An owner's agreement to one purpose of data use."""

    purpose: str
    version: str
    granted_at: datetime


class SessionStatus(StrEnum):
    """Whether a session takes bookings: open, closed to new ones, or cancelled."""

    OPEN = "open"
    CLOSED = "closed"  # registration closed by staff; bookings stay
    CANCELLED = "cancelled"  # every booking ended with it


@dataclass(frozen=True)
class TrainingSession:
    """One training session of the programme."""

    id: int
    code: str
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str | None
    venue_address: str | None
    latitude: float | None
    longitude: float | None
    online_url: str | None
    capacity: int
    trainer_id: int | None
    cutoff_at: datetime
    status: SessionStatus
    confirmed: int = 0
    offered: int = 0
    waitlisted: int = 0
    sequence: int = 0  # the calendar event's revision (iCalendar SEQUENCE)

    @property
    def seats_left(self) -> int:
        """Seats neither booked nor held for a waitlist offer."""
        return max(0, self.capacity - self.confirmed - self.offered)

    def has_ended(self, now: datetime) -> bool:
        """Whether the session is over: its bookings are history and hold no place."""
        return self.ends_at <= now


class BookingStatus(StrEnum):
    """Where an owner's booking stands: three active states, three ways it ended."""

    CONFIRMED = "confirmed"  # holds a seat
    WAITLISTED = "waitlisted"  # waits for one
    OFFERED = "offered"  # a freed seat is held for them until the offer expires
    CANCELLED = "cancelled"  # given up by the owner, or the session was cancelled
    DECLINED = "declined"  # the offered seat was turned down
    EXPIRED = "expired"  # the offer lapsed, or the session began while they waited


@dataclass(frozen=True)
class Booking:
    """An owner's seat, waitlist place or seat offer in one session."""

    id: int
    session_id: int
    user_id: int
    status: BookingStatus
    seq: int
    offer_expires_at: datetime | None
    created_at: datetime
    attended_at: datetime | None = None


ACTIVE_BOOKING = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.OFFERED)


class OutboxStatus(StrEnum):
    """Where a promised message stands; the last four are final."""

    PENDING = "pending"  # queued, due now or later
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"  # the channel accepted it
    FAILED = "failed"  # refused, or out of attempts
    SKIPPED = "skipped"  # nobody to send it to, or it no longer applies
    CANCELLED = "cancelled"  # withdrawn unsent (a stopped broadcast, a dropped reminder)


@dataclass(frozen=True)
class OutboxMessage:
    """A message the bot promised to send, as stored."""

    id: int
    user_id: int
    kind: str
    params: dict[str, Any]
    priority: int
    due_at: datetime
    status: OutboxStatus
    attempts: int
    interrupted: int = 0


class BroadcastStatus(StrEnum):
    """Where an announcement or follow-up stands; the last three are final."""

    SCHEDULED = "scheduled"  # waits for its send time
    SENDING = "sending"  # copies are going out
    DONE = "done"  # every copy had its outcome
    STOPPED = "stopped"  # stopped while sending; unsent copies were cancelled
    CANCELLED = "cancelled"  # called off before its send time


@dataclass(frozen=True)
class LinkButton:
    """A button under a message that opens a link; each channel renders it its own way."""

    label: str
    url: str


LinkRows = tuple[tuple[LinkButton, ...], ...]  # link buttons in their rows


def link_rows_json(rows: LinkRows) -> list[list[dict[str, str]]]:
    """Link rows as stored (neutral JSON: ``[[{"label": …, "url": …}], …]``)."""
    return [[{"label": b.label, "url": b.url} for b in row] for row in rows]


def link_rows_of(data: Any) -> LinkRows:
    """Link rows from their stored JSON."""
    return tuple(
        tuple(LinkButton(str(b["label"]), str(b["url"])) for b in row) for row in data or ()
    )


@dataclass(frozen=True)
class Broadcast:
    """A staff announcement or a trainer follow-up, with its delivery bookkeeping.

    Channel-free: its file is the stored file (``media_sha256``; a channel's own id for it is
    that edge's cache), its buttons are :class:`LinkButton` rows, and the message where the
    sender watches its progress belongs to the edge that showed it.
    """

    id: int
    kind: str
    created_by: int
    audience: dict[str, Any]
    text: str
    media_kind: str | None  # "photo" or "document"
    buttons: LinkRows
    status: BroadcastStatus
    send_at: datetime
    recipients: int
    skipped_opted_out: int
    skipped_unreachable: int
    created_at: datetime
    finished_at: datetime | None
    media_sha256: str | None = None  # the stored file (bot.services.files) it sends
    media_name: str | None = None  # the file's name as the sender gave it

    @property
    def media_key(self) -> str | None:
        """The key each channel caches its own id of the file under: the stored file's digest,
        or, for a file from before the bot kept files, the broadcast's own key."""
        if self.media_kind is None:
            return None
        return self.media_sha256 or legacy_media_key(self.id)


def legacy_media_key(broadcast_id: int) -> str:
    """The file-cache key of a broadcast's file the bot never kept (migration 0025)."""
    return f"broadcast:{broadcast_id}"


@dataclass(frozen=True)
class StoredFile:
    """A file the programme keeps and sends (content-addressed: ``sha256`` of ``content``)."""

    sha256: str
    mime_type: str
    content: bytes


LIVE_BROADCAST = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)
FINISHED_BROADCAST = (BroadcastStatus.DONE, BroadcastStatus.STOPPED, BroadcastStatus.CANCELLED)


@dataclass(frozen=True)
class Audience:
    """Who an announcement goes to; dimensions combine with AND.

    ``base``: ``all`` (registered owners), ``booked``/``waitlist``/``attended``/``missed``
    (of ``session_id``), or ``not_booked``; ``kecamatan`` and ``category`` narrow it.
    """

    base: str
    session_id: int | None = None
    kecamatan: tuple[str, ...] = ()
    category: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The audience as stored."""
        return {
            "base": self.base,
            "session_id": self.session_id,
            "kecamatan": list(self.kecamatan),
            "category": list(self.category),
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> Audience:
        """Read a stored audience."""
        return cls(
            data["base"],
            data.get("session_id"),
            tuple(data.get("kecamatan") or ()),
            tuple(data.get("category") or ()),
        )


@dataclass(frozen=True)
class Recipients:
    """An audience split into who gets it and who is skipped."""

    reachable: list[int]
    opted_out: list[int]
    unreachable: list[int]


@dataclass(frozen=True)
class Participant:
    """An owner holding a seat, an offer or a waitlist place, with their contact details."""

    user_id: int
    status: BookingStatus
    full_name: str | None
    business_name: str | None
    phone: str | None
    attended: bool = False
    unreachable: bool = False


@dataclass(frozen=True)
class SessionFill:
    """How full one session is."""

    session_id: int
    title: str
    status: SessionStatus
    capacity: int
    confirmed: int
    offered: int
    waitlisted: int


@dataclass(frozen=True)
class RosterLine:
    """A booked participant as the trainer sees them on the tick list."""

    booking_id: int
    user_id: int
    name: str
    business: str
    attended: bool


@dataclass(frozen=True)
class Headcount:
    """A session's confirmed seats and how many of them attended."""

    booked: int = 0
    attended: int = 0


@dataclass(frozen=True)
class SessionFeedback:
    """Feedback on one session."""

    session_id: int
    title: str
    attended: int
    ratings: int
    average: float | None


@dataclass(frozen=True)
class Invite:
    """A one-time link that makes whoever opens it a trainer."""

    token: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None


@dataclass(frozen=True)
class Trainer:
    """Someone holding the trainer role, with their Telegram or profile name if known."""

    user_id: int
    name: str | None


@dataclass(frozen=True)
class Subscription:
    """A user's daily tip: the slot (``morning``, ``midday``, ``evening``) and whether it runs."""

    user_id: int
    slot: str
    active: bool


class TipDay(StrEnum):
    """Where one day of an owner's daily tips stands."""

    QUEUED = "queued"  # the day has a tip due, not chosen yet
    TAKEN = "taken"  # the day's tip is chosen; being sent
    SENT = "sent"  # the channel accepted it
    SKIPPED = "skipped"  # nothing was sent that day (quiet hours, or no tip left)
    MISSING = "missing"  # no such day is queued (never stored)


@dataclass(frozen=True)
class TipCount:
    """How often one tip (or topic) was sent and what readers thought of it."""

    key: str
    topic: str
    sent: int
    helpful: int
    not_helpful: int

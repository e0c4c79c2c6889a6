"""Tanya Dinas rows: an owner's question, the line that answered it, and a ticket's thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Line(StrEnum):
    """Which line answered a question: the owner's data, the FAQ, a choice of it, a person."""

    OWN = "own"
    FAQ = "faq"
    CHOICES = "choices"  # the FAQ offered its top entries
    PERSON = "person"


class TicketStatus(StrEnum):
    """Where a question handed to a person stands."""

    OPEN = "open"  # waiting for its first (or next) answer
    ANSWERED = "answered"  # a person answered; the owner may write back
    CLOSED = "closed"  # marked done by staff


@dataclass(frozen=True)
class TicketDraft:
    """A ticket about to be opened inside the caller's transaction, with everything read
    beforehand (who answers, the promise), so that nothing is read inside the write."""

    user_id: int
    channel: str
    text: str
    session_id: int | None
    trainer: int | None  # the session's trainer while still one, else None (staff answer)
    due: datetime
    now: datetime


@dataclass(frozen=True)
class Question:
    """One question an owner typed, as stored."""

    id: int
    user_id: int
    channel: str
    text: str
    line: Line
    faq_id: str | None
    helpful: bool
    session_id: int | None
    status: TicketStatus | None
    due_at: datetime | None
    to_trainer: bool
    first_response_at: datetime | None
    answered_by: int | None
    created_at: datetime
    handed_at: datetime | None


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a ticket's conversation."""

    author: str  # "owner" or "staff"
    author_id: int | None
    text: str
    at: datetime


@dataclass(frozen=True)
class QuestionCounts:
    """Tanya Dinas in numbers, for /statistik."""

    asked: int = 0
    by_line: tuple[tuple[str, int], ...] = ()
    helpful: int = 0
    tickets: int = 0
    answered: int = 0
    kept: int = 0  # answered by their promised time
    overdue: int = 0  # still open past their promised time
    median_hours: float | None = None  # first response, in working hours
    p90_hours: float | None = None


@dataclass(frozen=True)
class QuestionRecord:
    """One question as the staff export lists it: the row, its FAQ entry's title, and how
    fast a person first answered it (in working hours) and whether by the promised time."""

    question: Question
    faq_title: str | None
    first_response_hours: float | None  # tickets a person answered only
    kept: bool | None  # answered by the promised time; None for no ticket or no answer yet


@dataclass(frozen=True)
class StaffFaqRow:
    """An FAQ entry staff made from an answered ticket: the question as asked, the answer."""

    id: str
    question_id: int | None
    question: str
    answer: str
    created_by: int
    created_at: datetime


@dataclass(frozen=True)
class QuestionFile:
    """A photo, document or voice note an owner sent with a question, as stored."""

    id: int
    question_id: int
    sha256: str  # the kept file (bot.services.files)
    kind: str  # "photo", "document" or "voice"
    name: str | None
    at: datetime

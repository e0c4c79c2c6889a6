"""Practice tasks after a session, as stored: one per attendee's booking and task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TaskStatus(StrEnum):
    """Where an owner's practice task stands."""

    OPEN = "open"
    REVIEW = "review"  # proof sent, the trainer has not looked yet
    DONE = "done"


@dataclass(frozen=True)
class PracticeTask:
    """One task given to one attendee, with the session it came from."""

    id: int
    booking_id: int
    user_id: int
    task_id: str
    required: bool
    status: TaskStatus
    snoozes: int
    due_at: datetime
    done_at: datetime | None
    help_at: datetime | None
    session_id: int
    session_title: str
    trainer_id: int | None
    attended: bool
    proof_link: str | None = None
    proof_file: str | None = None  # sha256 of a kept file
    review_note: str | None = None

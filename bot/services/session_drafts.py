"""The typed drafts of /sesibaru and /sesi, and their JSON form in the dialog table.

The JSON keeps the shape :mod:`bot.services.session_input` reads and writes (``date`` as
``2026-12-12``, ``start`` as ``09:00``, a key left out when it has no value), so dialogs
saved before a restart, or by an older version, read back the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.services import session_changes, session_input
from bot.services.sessions import SessionDraft


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _clock(value: Any) -> time | None:
    return time.fromisoformat(value) if isinstance(value, str) else None


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class NewSessionDraft:
    """The answers staff have given so far in /sesibaru."""

    title: str | None = None
    day: date | None = None
    start: time | None = None
    end: time | None = None
    venue_name: str | None = None
    venue_address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    online_url: str | None = None
    capacity: int | None = None
    trainer_id: int | None = None
    trainer_name: str | None = None
    cutoff_hours: int | None = None
    editing: bool = False  # came from the summary: after this field, the summary again

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> NewSessionDraft:
        """Read the draft from the dialog's JSON."""
        return cls(
            title=data.get("title"),
            day=_day(data.get("date")),
            start=_clock(data.get("start")),
            end=_clock(data.get("end")),
            venue_name=data.get("venue_name"),
            venue_address=data.get("venue_address"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            online_url=data.get("online_url"),
            capacity=data.get("capacity"),
            trainer_id=data.get("trainer_id"),
            trainer_name=data.get("trainer_name"),
            cutoff_hours=data.get("cutoff_hours"),
            editing=bool(data.get("editing")),
        )

    def to_data(self) -> dict[str, Any]:
        """Write the draft as the dialog keeps it."""
        return _present(
            {
                "title": self.title,
                "date": self.day.isoformat() if self.day else None,
                "start": self.start.isoformat("minutes") if self.start else None,
                "end": self.end.isoformat("minutes") if self.end else None,
                "venue_name": self.venue_name,
                "venue_address": self.venue_address,
                "latitude": self.latitude,
                "longitude": self.longitude,
                "online_url": self.online_url,
                "capacity": self.capacity,
                "trainer_id": self.trainer_id,
                "trainer_name": self.trainer_name,
                "cutoff_hours": self.cutoff_hours,
                "editing": self.editing or None,
            }
        )

    def session_draft(self, tz: ZoneInfo) -> SessionDraft:
        """Return the session to create; every question before the summary is answered."""
        return session_input.draft_of(self.to_data(), tz)


@dataclass(frozen=True)
class PendingChange:
    """What staff are changing in /sesi: the session, and a change waiting to be confirmed."""

    session_id: int
    pending: Mapping[str, Any] | None = None  # the new column values, once previewed
    sequence: int | None = None  # the session's revision the preview was made from
    preview_id: int | None = None  # the message showing the preview

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PendingChange:
        """Read the change from the dialog's JSON."""
        pending = data.get("pending")
        return cls(
            session_id=int(data["session_id"]),
            pending=session_changes.decode(pending) if pending is not None else None,
            sequence=data.get("sequence"),
            preview_id=data.get("preview_id"),
        )

    def to_data(self) -> dict[str, Any]:
        """Write the change as the dialog keeps it."""
        pending = dict(self.pending) if self.pending is not None else None
        return _present(
            {
                "session_id": self.session_id,
                "pending": session_changes.encode(pending) if pending is not None else None,
                "sequence": self.sequence,
                "preview_id": self.preview_id,
            }
        )

"""What a change to a session means for the people in it: what changed, who is told.

A notice about a change is sent after the change is committed, maybe much later; it must
still say what the session *was*. So the values before and after are stored in the notice
(``snapshot``) and put back on the session when it is rendered (``restore``). The same
encoding keeps a change staff have not confirmed yet in their dialog (``encode``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.core.models import TrainingSession

# What owners read as one thing, and the columns it is made of, in the order they are shown.
ASPECTS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "time": ("starts_at", "ends_at"),
    "place": ("venue_name", "venue_address", "online_url", "latitude", "longitude"),
    "trainer": ("trainer_id",),
}
NOTIFIED = tuple(field for fields in ASPECTS.values() for field in fields)
_TIMES = frozenset({"starts_at", "ends_at", "cutoff_at"})


@dataclass(frozen=True)
class Audience:
    """Who hears of a change: the owners by the state of their place, and the trainer."""

    confirmed: int = 0
    offered: int = 0
    waitlisted: int = 0
    trainer_id: int | None = None

    @property
    def total(self) -> int:
        """Everyone told, the trainer included."""
        return self.confirmed + self.offered + self.waitlisted + (self.trainer_id is not None)


@dataclass(frozen=True)
class ChangePreview:
    """A change as staff confirm it: the session before and after, and who will be told."""

    before: TrainingSession
    after: TrainingSession
    fields: list[str]
    audience: Audience

    @property
    def aspects(self) -> list[str]:
        """The aspects (time, place, ...) that change."""
        return aspects_of(self.fields)


def changed_fields(session: TrainingSession, changes: dict[str, Any]) -> list[str]:
    """The columns owners are told about whose value really changes, in ``NOTIFIED`` order."""
    return [f for f in NOTIFIED if f in changes and changes[f] != getattr(session, f)]


def aspects_of(fields: list[str]) -> list[str]:
    """The aspects the changed columns belong to."""
    return [aspect for aspect, columns in ASPECTS.items() if set(columns) & set(fields)]


def snapshot(session: TrainingSession, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` (of every column of their aspects), ready for JSON."""
    columns = [c for aspect in aspects_of(fields) for c in ASPECTS[aspect]]
    return encode({c: getattr(session, c) for c in columns})


def restore(session: TrainingSession, values: dict[str, Any]) -> TrainingSession:
    """The session with stored values put back (unknown keys are ignored)."""
    known = {k: v for k, v in decode(values).items() if k in NOTIFIED or k == "cutoff_at"}
    return replace(session, **known)


def encode(changes: dict[str, Any]) -> dict[str, Any]:
    """Column values as JSON can hold them (times as ISO 8601 with their offset)."""
    return {k: v.isoformat() if k in _TIMES and v is not None else v for k, v in changes.items()}


def decode(values: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`encode`."""
    return {
        k: datetime.fromisoformat(v) if k in _TIMES and isinstance(v, str) else v
        for k, v in values.items()
    }

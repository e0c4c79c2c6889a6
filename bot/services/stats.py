"""Numbers for staff, and who may see which session's participants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.errors import NotAllowed
from bot.core.models import Participant, SessionFill, TrainingSession
from bot.services.access import RoleReader, may_run


class StatsStore(Protocol):
    """What the statistics service needs from storage."""

    async def participants(self, session_id: int) -> list[Participant]: ...
    async def owner_count(self) -> int: ...
    async def erasure_count(self) -> int: ...
    async def counts_by(self, column: str) -> list[tuple[str, int]]: ...
    async def session_fill(self) -> list[SessionFill]: ...


@dataclass(frozen=True)
class Stats:
    """The programme at a glance."""

    owners: int
    sessions: list[SessionFill]
    waitlisted: int
    by_kecamatan: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    erasures: int


def fill_rate(fill: SessionFill) -> int:
    """Booked seats (confirmed and offered) as a whole percentage of capacity."""
    return round(100 * (fill.confirmed + fill.offered) / fill.capacity) if fill.capacity else 0


class StatsService:
    """Statistics and participant lists, each checked against the viewer's role."""

    def __init__(self, store: StatsStore, roles: RoleReader) -> None:
        self._store = store
        self._roles = roles

    async def overview(self) -> Stats:
        """Collect every number /statistik shows."""
        sessions = await self._store.session_fill()
        return Stats(
            owners=await self._store.owner_count(),
            sessions=sessions,
            waitlisted=sum(s.waitlisted for s in sessions),
            by_kecamatan=await self._store.counts_by("kecamatan"),
            by_category=await self._store.counts_by("category"),
            erasures=await self._store.erasure_count(),
        )

    async def visible_sessions(
        self, user_id: int, sessions: list[TrainingSession]
    ) -> list[TrainingSession]:
        """The sessions whose participants this user may see."""
        roles = await self._roles.roles(user_id)
        return [s for s in sessions if may_run(roles, user_id, s)]

    async def participants(self, user_id: int, session: TrainingSession) -> list[Participant]:
        """The session's participants, or NotAllowed if this user may not see them."""
        if not may_run(await self._roles.roles(user_id), user_id, session):
            raise NotAllowed(user_id, "trainer of this session")
        return await self._store.participants(session.id)

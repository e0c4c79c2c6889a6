"""Who may act on which session, decided from the database on every call.

Staff may act on every session. A trainer may act on a session only while they hold the
trainer role *and* the session names them as its trainer. Both are read again on every call,
never cached and never taken from a button, so revoking the role or giving the session to
someone else takes effect at the very next tap.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.errors import NotAllowed, StaleAction
from bot.core.models import Role, TrainingSession

PRIVILEGED = frozenset({Role.STAFF, Role.TRAINER})


class RoleReader(Protocol):
    """Reads a user's roles as stored now."""

    async def roles(self, user_id: int) -> frozenset[Role]: ...


class SessionReader(Protocol):
    """Reads one session as stored now."""

    async def get(self, session_id: int) -> TrainingSession | None: ...


def may_run(roles: frozenset[Role], user_id: int, session: TrainingSession) -> bool:
    """Staff run every session; a trainer only the sessions assigned to them."""
    return Role.STAFF in roles or (Role.TRAINER in roles and session.trainer_id == user_id)


class Access:
    """The one check of "may this user do this to this session now"."""

    def __init__(self, roles: RoleReader, sessions: SessionReader) -> None:
        self._roles = roles
        self._sessions = sessions

    async def require(self, user_id: int, role: Role) -> frozenset[Role]:
        """The user's roles, or :class:`NotAllowed` unless they hold ``role`` now."""
        roles = await self._roles.roles(user_id)
        if role not in roles:
            raise NotAllowed(user_id, role.value)
        return roles

    async def session(self, user_id: int, session_id: int) -> TrainingSession:
        """The session, if this user may run it now; else NotAllowed (or StaleAction if gone).

        Someone without a staff or trainer role is refused before the session is looked up,
        so a forged id tells an owner nothing about which sessions exist.
        """
        roles = await self._roles.roles(user_id)
        if not PRIVILEGED & roles:
            raise NotAllowed(user_id, Role.TRAINER.value)
        session = await self._sessions.get(session_id)
        if session is None:
            raise StaleAction(session_id)
        if not may_run(roles, user_id, session):
            raise NotAllowed(user_id, Role.TRAINER.value)
        return session

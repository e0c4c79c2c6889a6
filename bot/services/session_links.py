"""Session links: the session a poster's link or a sign-up remembers, found alike on every channel.

A link to one session carries ``sesi-<code>`` (Telegram's ``?start=`` payload); tapping "book"
before signing up remembers the same payload with the sign-up. What the link shows is decided
here once: the session it names, unless it is gone or cancelled (issue 21: WhatsApp dropped
the remembered session after sign-up while Telegram showed it).
"""

from __future__ import annotations

from typing import Protocol

from bot.core.models import SessionStatus, TrainingSession

SESSION_LINK_PREFIX = "sesi-"


class SessionsByCode(Protocol):
    """What finding a linked session needs (``SessionService`` is one)."""

    async def by_code(self, code: str) -> TrainingSession | None: ...


def payload_for(session: TrainingSession) -> str:
    """The payload that names ``session`` (kept with a sign-up, put in a link)."""
    return SESSION_LINK_PREFIX + session.code


def session_code(payload: str | None) -> str | None:
    """The session code a payload names, or None when it names no session."""
    if payload is None or not payload.startswith(SESSION_LINK_PREFIX):
        return None
    return payload.removeprefix(SESSION_LINK_PREFIX) or None


async def linked_session(sessions: SessionsByCode, payload: str | None) -> TrainingSession | None:
    """The session to show for a payload; None if it names none, or one gone or cancelled."""
    code = session_code(payload)
    if code is None:
        return None
    session = await sessions.by_code(code)
    if session is None or session.status == SessionStatus.CANCELLED:
        return None
    return session

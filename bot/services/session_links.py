"""Session links: the links that open one session, one per channel, and the session a
sign-up remembers, found alike on every channel.

* **Telegram:** the deep link ``https://t.me/<bot>?start=sesi-<code>``; ``/start`` reads it.
* **WhatsApp:** the click-to-chat link ``https://wa.me/<business number>?text=SESI-<code>``
  (Meta's documented form: the number in international form, digits only, and a URL-encoded
  text typed in for the person to send). The WhatsApp edge reads the text back with
  :func:`whatsapp_code` and opens the session card, as ``/start`` does on Telegram.

Tapping "book" before signing up remembers the same ``sesi-<code>`` payload with the sign-up;
what it shows afterwards is decided here once (:func:`linked_session`): the session it names,
unless it is gone or cancelled.
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import quote

from bot.core.models import SessionStatus, TrainingSession

TELEGRAM_PREFIX = "sesi-"
SESSION_LINK_PREFIX = TELEGRAM_PREFIX  # the payload a sign-up remembers
WHATSAPP_PREFIX = "SESI-"
# as typed by the link, or by hand ("sesi abcd2345", "SESI: abcd2345"); a code is 8 letters
# and digits (bot.services.sessions.new_code), so "sesi lain" or "sesi besok" is no link text
_WHATSAPP_TEXT = re.compile(r"sesi[\s\-_:]+([a-z0-9]{8})", re.IGNORECASE)


def telegram_link(bot_username: str, code: str) -> str:
    """The Telegram deep link that opens the session."""
    return f"https://t.me/{bot_username}?start={TELEGRAM_PREFIX}{code}"


def whatsapp_link(display_number: str, code: str) -> str:
    """The WhatsApp click-to-chat link whose typed text opens the session."""
    number = "".join(c for c in display_number if c.isdigit())
    return f"https://wa.me/{number}?text={quote(WHATSAPP_PREFIX + code)}"


def whatsapp_code(text: str) -> str | None:
    """The session code of a text the WhatsApp link typed ("SESI-abcd2345"), else None."""
    match = _WHATSAPP_TEXT.fullmatch(text.strip())
    return match[1] if match else None


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
    return await open_by_code(sessions, code) if code is not None else None


async def open_by_code(sessions: SessionsByCode, code: str) -> TrainingSession | None:
    """The session a link's code names, to show on any channel; None if there is none or it
    was cancelled (the edge says "session gone")."""
    session = await sessions.by_code(code)
    if session is None or session.status == SessionStatus.CANCELLED:
        return None
    return session

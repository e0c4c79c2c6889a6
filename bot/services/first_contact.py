"""First contact: which greeting a person gets and what comes next, on every channel.

A person opens the chat with a start link (Telegram's ``/start <payload>``) or just says
hello (WhatsApp's greeting, "mulai", or anything from a newcomer). :func:`opening` decides,
from the link and the person's roles and sign-up, one :class:`Opening`; the edge renders it
in its own way (Telegram's welcome with the admission queue, WhatsApp's welcome with the
consent question under it):

1. a trainer invite (``latih-<token>``) is redeemed, whoever taps it;
2. a check-in link (``hadir-<code>``, the trainer's QR) checks the person in;
3. a session link (``sesi-<code>``) shows the session to a signed-up owner (a newcomer's
   sign-up remembers it and shows it after confirming);
4. staff and trainers are greeted by their role, never taken into sign-up;
5. a signed-up owner is welcomed back;
6. a sign-up under way is greeted and its current question asked again;
7. a newcomer is welcomed into sign-up at the consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.core.models import Dialog, OwnerProfile, Role
from bot.services import signup
from bot.services.invites import PAYLOAD_PREFIX as INVITE_PREFIX
from bot.services.session_links import TELEGRAM_PREFIX as SESSION_PREFIX

CHECK_IN_PREFIX = "hadir-"  # t.me/<bot>?start=hadir-<code>: the trainer's check-in QR


class Opening(StrEnum):
    """What a first contact leads to."""

    INVITE = "invite"  # redeem the trainer invite ``code``
    CHECK_IN = "check_in"  # check in with the session code ``code``
    SESSION = "session"  # show the session ``code`` to a signed-up owner
    ROLE = "role"  # greet staff or a trainer with their tools
    BACK = "back"  # welcome a signed-up owner back
    RESUME = "resume"  # greet, then ask the sign-up question ``dialog`` is at
    CONSENT = "consent"  # welcome a newcomer into sign-up: the consent (``dialog``)


@dataclass(frozen=True)
class Start:
    """The opening decided for one person, with what the edge needs to render it."""

    opening: Opening
    code: str | None = None  # the invite token or the session code of the link
    dialog: Dialog | None = None  # the sign-up step (RESUME, CONSENT)
    roles: frozenset[Role] = frozenset()  # the person's roles (ROLE: which greeting)


class People(Protocol):
    """What the opening reads of a person."""

    async def roles(self, user_id: int) -> frozenset[Role]:
        """The person's roles as stored now."""
        ...


class Owners(Protocol):
    """Signed-up owners."""

    async def get(self, user_id: int) -> OwnerProfile | None:
        """The owner's profile, if they signed up."""
        ...


class SignUp(Protocol):
    """Sign-up, as far as a first contact starts it."""

    async def begin(self, user_id: int, payload: str | None = None) -> Dialog | None:
        """Start or resume sign-up (remembering ``payload``); None for a signed-up owner."""
        ...


def link_code(payload: str | None, prefix: str) -> str | None:
    """The code of a start payload that begins with ``prefix`` (None: another or none)."""
    if payload and payload.startswith(prefix):
        return payload.removeprefix(prefix)
    return None


async def opening(
    people: People, owners: Owners, sign_up: SignUp, user_id: int, payload: str | None = None
) -> Start:
    """Decide what a first contact (with the start link's ``payload``, if any) leads to."""
    if (token := link_code(payload, INVITE_PREFIX)) is not None:
        return Start(Opening.INVITE, token)
    if (code := link_code(payload, CHECK_IN_PREFIX)) is not None:
        return Start(Opening.CHECK_IN, code)
    roles = await people.roles(user_id)
    registered = await owners.get(user_id) is not None
    session = link_code(payload, SESSION_PREFIX)
    if registered and session is not None:
        return Start(Opening.SESSION, session, roles=roles)
    if Role.STAFF in roles or Role.TRAINER in roles:
        return Start(Opening.ROLE, roles=roles)
    dialog = None if registered else await sign_up.begin(user_id, payload)
    if dialog is None:
        return Start(Opening.BACK, roles=roles)
    step = Opening.CONSENT if dialog.step == signup.CONSENT else Opening.RESUME
    return Start(step, dialog=dialog, roles=roles)

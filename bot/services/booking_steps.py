"""The owner's "book" and "wait" taps as one conversation step, the same on every channel.

Issue 21: what follows the tap was decided in each edge (and differently): a seat or a
waitlist place is taken; someone not signed up yet starts sign-up remembering the session
(its first question under "sign up first"), or, signed up meanwhile, sees the session again;
a seat filled since the card was sent shows the card again, now with its waitlist choice.
:func:`take_place` makes that decision and returns it as :class:`Taken`; an edge renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.errors import BookingRefused, NotRegistered
from bot.core.models import Dialog, TrainingSession
from bot.services.booking import BookingView
from bot.services.session_links import payload_for

SIGN_UP_FIRST = "booking.sign_up_first"
JUST_FILLED = "booking.just_filled"


class Booker(Protocol):
    """Takes a seat or a waitlist place (the booking service)."""

    async def book(
        self, user_id: int, session_id: int, *, waitlist: bool = True
    ) -> BookingView: ...


class SessionFinder(Protocol):
    """Finds a session by id (the session service)."""

    async def get(self, session_id: int) -> TrainingSession | None: ...


class SignupStarter(Protocol):
    """Begins sign-up, remembering a payload (the sign-up service)."""

    async def begin(self, user_id: int, payload: str | None = None) -> Dialog | None: ...


@dataclass(frozen=True)
class Taken:
    """What a book or wait tap came to: a booking, a sign-up, a card, or nothing known."""

    view: BookingView | None = None  # a seat or a waitlist place was taken
    dialog: Dialog | None = None  # sign-up begun, remembering the session: ask its step
    session: TrainingSession | None = None  # the session's card, to show (again)
    lead: str | None = None  # the catalog key of the line shown above the step or the card
    unknown: bool = False  # no such session, and not signed up: a forged or stale tap


async def take_place(
    booking: Booker,
    sessions: SessionFinder,
    signup: SignupStarter,
    user_id: int,
    session_id: int,
    *,
    waitlist: bool,
) -> Taken:
    """Take a seat (or a waitlist place), or say what the person should see instead."""
    try:
        return Taken(view=await booking.book(user_id, session_id, waitlist=waitlist))
    except NotRegistered:
        session = await sessions.get(session_id)
        if session is None:  # a session that never was: nothing to sign up for
            return Taken(unknown=True)
        dialog = await signup.begin(user_id, payload_for(session))
        if dialog is None:  # signed up meanwhile: the session again, to book now
            return Taken(session=session)
        return Taken(dialog=dialog, session=session, lead=SIGN_UP_FIRST)
    except BookingRefused as refusal:
        session = await sessions.get(session_id)
        if refusal.key != JUST_FILLED or session is None:
            raise
        return Taken(session=session, lead=JUST_FILLED)  # the card now offers the waitlist

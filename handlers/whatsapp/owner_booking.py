"""Owners' sessions and bookings on WhatsApp: "jadwal", one-tap booking, "bookingsaya".

The rules are :class:`~bot.services.booking.BookingService`'s, as on Telegram, with the same
choice ids (``bk:v1:book:<session>``, ``bk:v1:cancel:<booking>``, ...) and texts. Nothing
can be edited on WhatsApp, so each step is one new message: a card with its buttons, the
question "really cancel?", the list of sessions to move to. Every tap is checked again by
the service; an old, repeated or forged one is answered and changes nothing (:func:`refuse`).

The reply about a change (the confirmation with its calendar file, "cancelled") is the
outbox row the service committed with the change. :func:`tell` sends it at once through the
delivery's send-now path given to :func:`use_sender` (the assembly's delivery runner);
without one, the delivery workers send it when it falls due.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.errors import Refusal, StaleAction
from bot.core.models import TrainingSession
from bot.core.notices import Notice
from bot.i18n import Catalog
from bot.services import session_links, session_screens, unexpected
from bot.services.booking import BookingView, MyBookings
from bot.services.booking_steps import JUST_FILLED, take_place
from bot.services.my_bookings import bookings_screen
from bot.services.owner_screens import with_lead
from bot.services.session_lists import SessionLists
from handlers.whatsapp.owner_signup import step_for
from handlers.whatsapp.router import Router, Turn
from handlers.whatsapp.screens import ROOM


class ReplySender(Protocol):
    """The delivery's send-now path (``bot.app.delivery.DeliveryRunner`` is one)."""

    async def send_now(self, message_id: int) -> None:
        """Send one promised reply now, unless a worker took it already."""
        ...


_SENDERS: WeakKeyDictionary[Router, ReplySender] = WeakKeyDictionary()


def use_sender(router: Router, sender: ReplySender) -> None:
    """Send the replies owed by ``router``'s handlers through ``sender`` as they commit."""
    _SENDERS[router] = sender


async def tell(turn: Turn, message_id: int | None) -> None:
    """Send the reply about the change just committed, in its place among the turn's replies
    (the outbox sends it if this cannot)."""
    if message_id is not None and turn.router in _SENDERS:
        turn.owe_outbox(message_id)


async def refuse(
    turn: Turn, error: StaleAction | Refusal, stale_key: str = "booking.stale"
) -> None:
    """Say why a tap changed nothing (a double tap: that it was taken), then the open question."""
    turn.was_stale = True
    again = turn.router.repeated(turn)
    key, params = unexpected.refused_tap(error, repeated=again, stale=stale_key)
    await turn.say(key, **params)
    if not again:
        await turn.resume()


async def trainer_names(turn: Turn, sessions: Sequence[TrainingSession]) -> dict[int, str]:
    """The display names of the sessions' trainers."""
    return await turn.services.users.display_names(
        [s.trainer_id for s in sessions if s.trainer_id]
    )


@dataclass(frozen=True)
class Views:
    """The session and booking screens in one reader's language, fitted to WhatsApp."""

    catalog: Catalog
    language: str
    tz: ZoneInfo

    @classmethod
    def of(cls, turn: Turn) -> Views:
        """The screens for the person of ``turn``."""
        return cls(turn.services.catalog, turn.language, turn.services.settings.timezone)

    def booking(self, view: BookingView, trainers: Mapping[int, str]) -> Notice:
        """An owner's seat, waitlist place or offer as it is now, with what they can do."""
        return session_screens.booking_screen(
            self.catalog, self.language, view, self.tz, trainers, room=ROOM
        )

    def my_bookings(self, mine: MyBookings, trainers: Mapping[int, str]) -> tuple[Notice, ...]:
        """ "bookingsaya": a message per booking ahead with its choices, then past sessions."""
        return bookings_screen(self.catalog, self.language, mine, self.tz, trainers, ROOM)

    def cancel_question(self, view: BookingView, trainers: Mapping[int, str]) -> Notice:
        """The booking's card with "Really cancel?" and yes / no."""
        return session_screens.cancel_question(
            self.catalog, self.language, view, self.tz, trainers
        )


def lists(turn: Turn) -> SessionLists:
    """The owners' lists of sessions in the person's language, fitted to WhatsApp."""
    services = turn.services
    return SessionLists(
        services.sessions,
        services.booking,
        services.users,
        services.catalog,
        services.settings.timezone,
        services.now,
        turn.language,
        ROOM,
    )


async def show_session(turn: Turn, session: TrainingSession, *, lead: str | None = None) -> None:
    """Send one session's card with its booking button (under ``lead``)."""
    await turn.send(with_lead(lead, await lists(turn).card(session)))


async def list_sessions(turn: Turn) -> None:
    """Show the bookable sessions: a few as cards, more as a list (the service says)."""
    for notice in await lists(turn).schedule():
        await turn.send(notice)


async def open_session_link(turn: Turn, code: str) -> None:
    """Show the session behind a session code (a poster's link, or after sign-up)."""
    session = await session_links.open_by_code(turn.services.sessions, code)
    if session is None:
        await turn.say("booking.session_gone")
        return
    await show_session(turn, session)


async def my_bookings(turn: Turn) -> None:
    """Show what the owner has coming, a message each with its choices, then past sessions."""
    mine = await turn.services.booking.mine(turn.user_id)
    trainers = await trainer_names(turn, [v.session for v in mine.upcoming])
    for notice in Views.of(turn).my_bookings(mine, trainers):
        await turn.send(notice)


async def tapped_booking(turn: Turn) -> None:
    """Book, wait, open a session, ask to cancel, cancel, keep, list move targets, or move."""
    parts = ids.parse(turn.choice_id, ids.BOOKING, 2) or ids.parse(turn.choice_id, ids.BOOKING, 3)
    numbers = [int(p) for p in parts[1:]] if parts and all(p.isdigit() for p in parts[1:]) else []
    step = _STEPS.get((parts[0], len(numbers))) if parts and numbers else None
    if step is None:
        await turn.stale()  # no button of ours has this shape
        return
    try:
        await step(turn, *numbers)
    except (StaleAction, Refusal) as error:
        await refuse(turn, error)


async def _book(turn: Turn, session_id: int) -> None:
    await _take(turn, session_id, waitlist=False)


async def _wait(turn: Turn, session_id: int) -> None:
    await _take(turn, session_id, waitlist=True)


async def _take(turn: Turn, session_id: int, *, waitlist: bool) -> None:
    """A seat or a waitlist place; else sign-up first, or the card again (the service says)."""
    services = turn.services
    taken = await take_place(
        services.booking,
        services.sessions,
        services.signup,
        turn.user_id,
        session_id,
        waitlist=waitlist,
    )
    lead = turn.t(taken.lead) if taken.lead else None
    if taken.unknown:
        await turn.stale()
    elif taken.view is not None:
        await tell(turn, taken.view.notice)
    elif taken.dialog is not None:
        turn.prompted = True
        await turn.send(with_lead(lead, step_for(turn, taken.dialog)))
    elif taken.session is not None:
        turn.prompted = taken.lead != JUST_FILLED  # signed up meanwhile: no step to ask again
        await show_session(turn, taken.session, lead=lead)


async def _show(turn: Turn, session_id: int) -> None:
    """Open one session's card from the list."""
    await _send_or_stale(turn, await lists(turn).opened(session_id))


async def _list(turn: Turn, page: int) -> None:
    """A page of the list of sessions (the first again, from a card opened from it)."""
    await _send_or_stale(turn, await lists(turn).schedule_page(page))


async def _send_or_stale(turn: Turn, notice: Notice | None) -> None:
    """Send the notice; none: the tap was stale (no list or session of ours had it)."""
    if notice is None:
        await turn.stale()
    else:
        await turn.send(notice)


async def _cancel_ask(turn: Turn, booking_id: int) -> None:
    """Ask "really cancel?" about the owner's booking."""
    view = await turn.services.booking.changeable(turn.user_id, booking_id)
    trainers = await trainer_names(turn, [view.session])
    await turn.send(Views.of(turn).cancel_question(view, trainers))


async def _cancel(turn: Turn, booking_id: int) -> None:
    """Cancel the booking; the reply owed confirms it."""
    view = await turn.services.booking.cancel(turn.user_id, booking_id)
    await tell(turn, view.notice)


async def _keep(turn: Turn, booking_id: int) -> None:
    """Keep the booking after all (if it is still the owner's and its session is ahead)."""
    await turn.services.booking.kept(turn.user_id, booking_id)
    await turn.say("booking.kept")


async def _move_list(turn: Turn, booking_id: int, page: int = 0) -> None:
    """Offer (a page of) the sessions with a free seat the booking can move to."""
    await _send_or_stale(turn, await lists(turn).move_choices(turn.user_id, booking_id, page))


async def _move(turn: Turn, booking_id: int, session_id: int) -> None:
    """Move the seat to another session; the reply owed confirms it."""
    moved = await turn.services.booking.move(turn.user_id, booking_id, session_id)
    await tell(turn, moved.notice)


Step = Callable[..., Awaitable[None]]
_STEPS: dict[tuple[str, int], Step] = {
    ("book", 1): _book,
    ("wait", 1): _wait,
    ("show", 1): _show,
    ("list", 1): _list,
    ("cancelask", 1): _cancel_ask,
    ("cancel", 1): _cancel,
    ("keep", 1): _keep,
    ("movelist", 1): _move_list,
    ("movepage", 2): _move_list,
    ("move", 2): _move,
}


def register(router: Router, sender: ReplySender | None = None) -> None:
    """Add "jadwal" and "bookingsaya", their menu rows and the booking buttons."""
    router.add_word("jadwal", ("schedule", "sessions", "sesi", "jadwal sesi"), list_sessions)
    router.add_link_text(session_links.whatsapp_code, open_session_link)  # a shared link
    router.add_word(
        "bookingsaya",
        ("booking saya", "my booking", "my bookings", "booking", "bookings"),
        my_bookings,
    )
    router.add_choice(ids.BOOKING, tapped_booking)
    if sender is not None:
        use_sender(router, sender)
